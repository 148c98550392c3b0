"""Postfach services: Rückfrage (rights, Frist as Wiedervorlage, notice without content),
delivery of Dokumente, the applicant's answer through the Posteingang checks and pipeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from amtsfluss.akte.models import Akte, AktenStatus, Dokument, Vorgang, VorgangStatus, Wiedervorlage
from amtsfluss.core.errors import PermissionDenied, ServiceError
from amtsfluss.core.models import AuditEvent
from amtsfluss.posteingang import pipeline
from amtsfluss.posteingang.models import EingangStatus
from amtsfluss.posteingang.services.eingang import Datei
from amtsfluss.postfach.models import Art, Nachricht, Richtung
from amtsfluss.postfach.selectors import (
    buerger_dokumentversion,
    nachrichten_for_vorgang,
    ungelesene_antworten,
)
from amtsfluss.postfach.services import (
    antwort_empfangen,
    nachricht_zustellen,
    rueckfrage_stellen,
)
from tests.akte.conftest import as_
from tests.posteingang import files
from tests.postfach.conftest import APPLICANT, SECRET, Box, make_dokument, run_worker

pytestmark = pytest.mark.usefixtures("english")


def ask(box: Box, user: object = None, **kwargs: object) -> Nachricht:
    options: dict[str, object] = {
        "betreff": "Meisterbrief fehlt",
        "text": SECRET,
        "empfaenger_email": APPLICANT,
        **kwargs,
    }
    return rueckfrage_stellen(
        principal=as_(user or box.akten.w.clerk),  # type: ignore[arg-type]
        vorgang=options.pop("vorgang", box.vorgang),  # type: ignore[arg-type]
        **options,  # type: ignore[arg-type]
    )


def test_rueckfrage_with_frist_sets_wiedervorlage_and_waits(box: Box) -> None:
    frist = timezone.localdate() + timedelta(days=14)
    nachricht = ask(box, frist=frist)
    assert nachricht.richtung == Richtung.AN_ANTRAGSTELLER
    assert nachricht.art == Art.RUECKFRAGE
    wv = Wiedervorlage.objects.get(vorgang=box.vorgang)
    assert (wv.faellig_am, wv.fuer_user_id) == (frist, box.akten.w.clerk.pk)
    assert Vorgang.objects.get(pk=box.vorgang.pk).status == VorgangStatus.WARTET
    event = AuditEvent.objects.get(action="postfach.zustellen")
    assert event.object_id == str(nachricht.pk)
    assert event.actor_id == box.akten.w.clerk.pk


@pytest.mark.django_db(transaction=True)
def test_notice_mail_leaves_on_commit_without_the_content(box: Box) -> None:
    ask(box)
    assert mail.outbox == []  # queued, not sent from inside the service
    run_worker()
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [APPLICANT]
    assert box.akten.offen_32_1.aktenzeichen in sent.subject
    assert SECRET not in sent.body
    assert "Meisterbrief" not in f"{sent.subject} {sent.body}"
    assert "Neue Nachricht" in sent.subject  # the administration's language
    assert "https://a.test/dienste/" in sent.body  # no online Antrag: the Mandant's services


def test_who_may_ask(box: Box) -> None:
    w = box.akten.w
    ask(box, w.head)  # Amtsleitung over 32.1 works on its Akten
    for user in (w.other_clerk, w.dsb, w.admin, w.b_clerk):
        with pytest.raises(PermissionDenied):
            ask(box, user)
    assert Nachricht.objects.count() == 1


def test_bad_rueckfrage_input_is_refused(box: Box) -> None:
    with pytest.raises(ServiceError, match="past"):
        ask(box, frist=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ServiceError, match="e-mail"):
        ask(box, empfaenger_email="not an address")
    with pytest.raises(ServiceError, match="subject"):
        ask(box, betreff="  ")
    with pytest.raises(ServiceError, match="need"):
        ask(box, text="  ")
    assert not Nachricht.objects.exists()
    assert not Wiedervorlage.objects.exists()


def test_closed_akte_takes_no_messages(box: Box) -> None:
    Akte.objects.filter(pk=box.akten.offen_32_1.pk).update(status=AktenStatus.ZDA)
    with pytest.raises(ServiceError, match="closed"):
        ask(box)
    with pytest.raises(ServiceError, match="closed"):
        antwort_empfangen(vorgang=box.vorgang, text="Hier", dateien=[])


def test_only_dokumente_of_the_vorgang_are_delivered(box: Box) -> None:
    foreign = make_dokument(box.akten.w.other_clerk, box.other, "Fremd")
    with pytest.raises(ServiceError, match="Dokumente of this Vorgang"):
        nachricht_zustellen(
            principal=as_(box.akten.w.clerk), vorgang=box.vorgang, art=Art.BESCHEID,
            betreff="Bescheid", text="", dokumente=[foreign], empfaenger_email=APPLICANT,
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        nachricht_zustellen(
            principal=as_(box.akten.w.b_clerk), vorgang=box.vorgang, art=Art.BESCHEID,
            betreff="Bescheid", text="", dokumente=[], empfaenger_email=APPLICANT,
        )  # fmt: skip
    with pytest.raises(ServiceError, match="kind"):
        nachricht_zustellen(
            principal=as_(box.akten.w.clerk), vorgang=box.vorgang, art="werbung",
            betreff="Bescheid", text="", dokumente=[], empfaenger_email=APPLICANT,
        )  # fmt: skip
    assert not Nachricht.objects.exists()


def test_applicant_downloads_only_dokumente_sent_to_them(box: Box) -> None:
    clerk = as_(box.akten.w.clerk)
    intern = make_dokument(box.akten.w.clerk, box.vorgang, "Vermerk intern")
    assert buerger_dokumentversion(vorgang=box.vorgang, dokument_pk=box.bescheid.pk) is None
    nachricht_zustellen(
        principal=clerk, vorgang=box.vorgang, art=Art.BESCHEID, betreff="Ihr Bescheid",
        text="", dokumente=[box.bescheid], empfaenger_email=APPLICANT,
    )  # fmt: skip
    version = buerger_dokumentversion(vorgang=box.vorgang, dokument_pk=box.bescheid.pk)
    assert version is not None and version.dokument_id == box.bescheid.pk
    assert buerger_dokumentversion(vorgang=box.vorgang, dokument_pk=intern.pk) is None
    # the other Vorgang's applicant reaches neither
    assert buerger_dokumentversion(vorgang=box.other, dokument_pk=box.bescheid.pk) is None


def test_answer_with_files_goes_through_the_posteingang_into_the_vorgang(box: Box) -> None:
    ask(box, frist=timezone.localdate() + timedelta(days=7))
    dateien = [
        Datei("meisterbrief.pdf", files.text_pdf("Meisterbrief", "Baeckerhandwerk")),
        Datei("rechnung.pdf", b"MZ\x90\x00 this is a program, not a PDF"),
        Datei("geheim.pdf", files.encrypted_pdf()),
        Datei("mehrdeutig.pdf", files.polyglot_pdf_zip()),
        Datei("bombe.docx", files.zip_bomb_docx(50)),
        Datei("../../etc/passwd.txt", b"root:x:0:0\n"),
    ]
    text = "Anbei der Meisterbrief."
    nachricht = antwort_empfangen(vorgang=box.vorgang, text=text, dateien=dateien)
    assert nachricht.richtung == Richtung.VON_ANTRAGSTELLER
    assert nachricht.betreff == "Antwort: Meisterbrief fehlt"  # stored text: German
    eingaenge = {e.dateiname: e for e in nachricht.sendung.eingaenge.all()}  # type: ignore[union-attr]
    refused = {name for name, e in eingaenge.items() if e.status == EingangStatus.ABGEWIESEN}
    assert refused == {"rechnung.pdf", "geheim.pdf", "mehrdeutig.pdf", "bombe.docx"}
    assert all(eingaenge[name].grund for name in refused)
    assert "passwd.txt" in eingaenge  # the path is gone from the name
    for eingang in nachricht.sendung.eingaenge.exclude(status=EingangStatus.ABGEWIESEN):  # type: ignore[union-attr]
        pipeline.process(eingang.pk)
    filed = Dokument.objects.filter(vorgang=box.vorgang, richtung="eingang")
    assert sorted(d.titel for d in filed) == [
        "E-Mail: Antwort: Meisterbrief fehlt",
        "meisterbrief.pdf",
        "passwd.txt",
    ]
    assert Vorgang.objects.get(pk=box.vorgang.pk).status == VorgangStatus.IN_BEARBEITUNG
    audited = AuditEvent.objects.filter(action="postfach.antwort", object_id=str(nachricht.pk))
    assert audited.exists()
    # answer files never become downloads for the applicant
    for dokument in filed:
        assert buerger_dokumentversion(vorgang=box.vorgang, dokument_pk=dokument.pk) is None


def test_unread_answers_are_seen_by_who_sees_the_vorgang(box: Box) -> None:
    antwort_empfangen(vorgang=box.vorgang, text="Rückruf erbeten", dateien=[])
    w = box.akten.w
    assert [n.vorgang_id for n in ungelesene_antworten(principal=as_(w.clerk))] == [box.vorgang.pk]
    assert len(ungelesene_antworten(principal=as_(w.head))) == 1
    for user in (w.other_clerk, w.dsb, w.admin, w.b_clerk):
        assert not ungelesene_antworten(principal=as_(user)).exists()


def test_empty_or_huge_answer_is_refused(box: Box) -> None:
    with pytest.raises(ServiceError, match="answer or attach"):
        antwort_empfangen(vorgang=box.vorgang, text="  ", dateien=[])
    with pytest.raises(ServiceError, match="longer"):
        antwort_empfangen(vorgang=box.vorgang, text="x" * 20_001, dateien=[])
    assert not Nachricht.objects.exists()


def test_messages_in_order(box: Box) -> None:
    first = ask(box)
    answer = antwort_empfangen(vorgang=box.vorgang, text="Kommt", dateien=[])
    assert list(nachrichten_for_vorgang(box.vorgang)) == [first, answer]
    assert not nachrichten_for_vorgang(box.other).exists()
