"""The applicant's side through a real online application: the clerk's Rückfrage moves the
Antrag, the applicant answers with files by the status link (hostile ones refused with their
reason), downloads only what was sent to them; other applicants, guessed links and the other
Mandant's host get 404."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone

from amtsfluss.akte.models import Vorgang
from amtsfluss.core.models import AuditEvent, Role, User
from amtsfluss.dienste.models import Antrag, AntragStatus, Leistung
from amtsfluss.dienste.selectors.antrag import antrag_by_token
from amtsfluss.posteingang.models import EingangStatus
from amtsfluss.postfach.models import Art, Nachricht, Richtung
from amtsfluss.postfach.services import nachricht_zustellen
from amtsfluss.postfach.views.buerger import ANTWORT_RATE
from tests.akte.conftest import as_
from tests.conftest import World, client_for, make_user
from tests.dienste.conftest import demo, katalog  # noqa: F401 (fixtures)
from tests.dienste.test_einreichung import filled, submit
from tests.posteingang import files
from tests.postfach.conftest import PDF, make_dokument, run_worker

A, B = "a.test", "b.test"


@dataclass
class Case:
    applicant: Client
    token: str
    antrag: Antrag
    vorgang: Vorgang
    clerk: User
    staff: Client


def apply(world: World) -> tuple[Client, str, Antrag]:
    applicant = Client(HTTP_HOST=A)
    token = submit(applicant, filled(applicant))
    return applicant, token, antrag_by_token(mandant=world.a, token=token)


@pytest.fixture
def case(demo: dict[str, Leistung], world: World) -> Case:  # noqa: F811 (fixture)
    applicant, token, antrag = apply(world)
    clerk = make_user(world.a, "standesamt", world.units["34"], Role.SACHBEARBEITUNG)
    return Case(applicant, token, antrag, antrag.vorgang, clerk, client_for(clerk, A))


def answer(case: Case, text: str, *uploads: tuple[str, bytes], token: str = "") -> Any:
    return case.applicant.post(
        f"/postfach/{token or case.token}/antwort/",
        {
            "antwort-text": text,
            "antwort-dateien": [SimpleUploadedFile(name, data) for name, data in uploads],
        },
    )


@pytest.mark.django_db(transaction=True)  # the worker sends the mails queued on commit
def test_rueckfrage_answer_and_status_of_the_antrag(case: Case) -> None:
    frist = (timezone.localdate() + timedelta(days=14)).isoformat()
    response = case.staff.post(
        f"/intern/postfach/vorgaenge/{case.vorgang.pk}/rueckfrage/",
        {
            "rueckfrage-betreff": "Geburtsort fehlt",
            "rueckfrage-text": "Bitte nennen Sie den Geburtsort.",
            "rueckfrage-frist": frist,
            "rueckfrage-empfaenger_email": case.antrag.antragsteller_email,
        },
    )
    assert response.status_code == 302
    assert Antrag.objects.get(pk=case.antrag.pk).status == AntragStatus.RUECKFRAGE
    mail.outbox.clear()
    run_worker()
    notices = [m for m in mail.outbox if m.subject.startswith("Neue Nachricht")]
    assert len(notices) == 1 and notices[0].to == [case.antrag.antragsteller_email]
    assert f"/dienste/status/{case.token}/#postfach" in notices[0].body
    assert "Geburtsort" not in f"{notices[0].subject} {notices[0].body}"

    response = answer(
        case,
        "Geburtsort: Musterstadt",
        ("geburtsurkunde.pdf", files.text_pdf("Geburtsurkunde", "Musterstadt")),
        ("bild.pdf", b"MZ\x90\x00\x03 not a PDF at all"),
        ("bombe.docx", files.zip_bomb_docx(50)),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/dienste/status/{case.token}/#postfach"
    antwort = Nachricht.objects.get(richtung=Richtung.VON_ANTRAGSTELLER)
    assert antwort.vorgang_id == case.vorgang.pk and antwort.text == "Geburtsort: Musterstadt"
    states = {e.dateiname: e.status for e in antwort.sendung.eingaenge.all()}  # type: ignore[union-attr]
    assert states["bild.pdf"] == states["bombe.docx"] == EingangStatus.ABGEWIESEN
    assert states["geburtsurkunde.pdf"] == EingangStatus.GEPRUEFT  # the pipeline files it
    assert antwort.sendung.ziel_vorgang_id == case.vorgang.pk  # type: ignore[union-attr]
    assert Antrag.objects.get(pk=case.antrag.pk).status == AntragStatus.IN_BEARBEITUNG
    assert AuditEvent.objects.filter(action="postfach.antwort").count() == 1

    status = case.applicant.get(f"/dienste/status/{case.token}/").content.decode()
    assert "Ihre Antwort wurde gesendet." in status  # the status page shows the Postfach
    assert "Bitte nennen Sie den Geburtsort." in status and "Geburtsort: Musterstadt" in status
    assert "bombe.docx – nicht angenommen" in status
    assert f'action="/postfach/{case.token}/antwort/"' in status

    page = case.staff.get(f"/intern/postfach/vorgaenge/{case.vorgang.pk}/").content.decode()
    assert "Geburtsort: Musterstadt" in page and "kern-badge--warning" in page
    assert "abgewiesen" in page


def test_downloads_only_what_was_sent_to_this_applicant(case: Case, world: World) -> None:
    bescheid = make_dokument(case.clerk, case.vorgang, "Bescheid")
    intern = make_dokument(case.clerk, case.vorgang, "Vermerk")
    url = f"/postfach/{case.token}/dokumente/{bescheid.pk}/"
    assert case.applicant.get(url).status_code == 404  # not sent yet
    nachricht_zustellen(
        principal=as_(case.clerk), vorgang=case.vorgang, art=Art.BESCHEID,
        betreff="Ihr Bescheid", text="", dokumente=[bescheid],
        empfaenger_email=case.antrag.antragsteller_email,
    )  # fmt: skip
    response = case.applicant.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(action="postfach.download").count() == 1
    assert case.applicant.get(f"/postfach/{case.token}/dokumente/{intern.pk}/").status_code == 404

    other, other_token, other_antrag = apply(world)
    assert other_antrag.vorgang_id != case.vorgang.pk
    assert other.get(f"/postfach/{other_token}/dokumente/{bescheid.pk}/").status_code == 404
    assert Client(HTTP_HOST=B).get(url).status_code == 404  # the other Mandant's host
    guessed = case.token[:-2] + ("AA" if not case.token.endswith("AA") else "BB")
    assert case.applicant.get(f"/postfach/{guessed}/dokumente/{bescheid.pk}/").status_code == 404
    # the other applicant's answer lands in their own Vorgang only
    response = other.post(f"/postfach/{other_token}/antwort/", {"antwort-text": "Hallo"})
    assert response.status_code == 302
    assert Nachricht.objects.get(richtung=Richtung.VON_ANTRAGSTELLER).vorgang_id == (
        other_antrag.vorgang_id
    )
    assert answer(case, "x", token=guessed).status_code == 404


def test_hostile_requests_to_the_answer(case: Case) -> None:
    empty = answer(case, "  ")
    assert empty.status_code == 400
    assert "Bitte schreiben Sie eine Antwort" in empty.content.decode()
    assert case.applicant.get(f"/postfach/{case.token}/antwort/").status_code == 405
    csrf = Client(HTTP_HOST=A, enforce_csrf_checks=True)
    assert csrf.post(f"/postfach/{case.token}/antwort/", {"antwort-text": "x"}).status_code == 403
    with override_settings(AMTSFLUSS_MAX_UPLOAD_FILES=2):
        many = answer(case, "drei", *[(f"{n}.txt", b"Text\n") for n in range(3)])
        assert many.status_code == 400
        assert "nichts entgegengenommen" in many.content.decode()
    with override_settings(AMTSFLUSS_MAX_UPLOAD_BYTES=2000):
        cut = answer(case, "gross", ("gross.pdf", files.text_pdf(*["Zeile"] * 200) + b" " * 4000))
        assert cut.status_code == 302
    with override_settings(
        AMTSFLUSS_MAX_UPLOAD_BATCH_BYTES=1000,
        AMTSFLUSS_MAX_UPLOAD_FILES=2,
        DATA_UPLOAD_MAX_MEMORY_SIZE=1000,
    ):
        huge = answer(case, "riesig", ("a.txt", b"x" * 500_000))
        assert huge.status_code == 413
        assert "es wurde nichts" in huge.content.decode()
    antworten = Nachricht.objects.filter(richtung=Richtung.VON_ANTRAGSTELLER)
    assert [n.text for n in antworten] == ["gross"]
    eingang = antworten[0].sendung.eingaenge.get(dateiname="gross.pdf")  # type: ignore[union-attr]
    assert eingang.status == EingangStatus.ABGEWIESEN and eingang.grund


def test_answers_are_rate_limited_per_client(case: Case) -> None:
    codes = [answer(case, "").status_code for _ in range(25)]
    limit = int(ANTWORT_RATE.split("/")[0])
    assert codes[:limit] == [400] * limit  # empty answers, each one counted
    assert set(codes[limit:]) == {429}
    assert not Nachricht.objects.exists()
