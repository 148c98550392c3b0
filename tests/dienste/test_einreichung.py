"""Submitting an application: Antrag, Vorgang, documents, receipt, mail, idempotency, status."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.http import Http404, HttpResponse
from django.test import Client
from pypdf import PdfReader

from amtsfluss.akte.models import Dokument, Dokumentversion, Vorgang
from amtsfluss.bescheid.integration import antrag_facts
from amtsfluss.core.models import AuditEvent, Role
from amtsfluss.core.permissions import Principal
from amtsfluss.core.services.blobs import blob_open
from amtsfluss.core.text_pdf import text_pdf
from amtsfluss.dienste.models import Antrag, AntragStatus, Entwurf, Leistung
from amtsfluss.dienste.selectors.antrag import antrag_by_token, antrag_for_vorgang
from amtsfluss.dienste.services.antrag import antrag_status_set, antrag_submit, status_token
from amtsfluss.kasse.services.empfaenger import empfaenger_set
from amtsfluss.kasse.services.forderung import forderung_create
from amtsfluss.posteingang.models import Eingang, EingangStatus, Sendung
from amtsfluss.posteingang.services.eingang import Datei
from amtsfluss.postfach.services import rueckfrage_stellen
from amtsfluss.web.schutz import pow
from tests.conftest import make_user
from tests.dienste.conftest import Katalog
from tests.dienste.test_antrag import URKUNDE_SCHRITT_1, URKUNDE_SCHRITT_2, A, B, start
from tests.kasse.conftest import DEMO_BIC, DEMO_IBAN

pytestmark = pytest.mark.django_db


def filled(client: Client) -> str:
    """A complete Personenstandsurkunde draft (two copies of a birth certificate)."""
    token = start(client)
    base = f"/dienste/entwurf/{token}"
    assert client.post(f"{base}/1/", URKUNDE_SCHRITT_1)["Location"] == f"{base}/2/"
    assert client.post(f"{base}/2/", URKUNDE_SCHRITT_2)["Location"] == f"{base}/3/"
    assert client.post(f"{base}/3/", {"versand": "abholung"}).status_code == 302
    return token


def solved(page: str) -> dict[str, str]:
    """The proof-of-work fields of a summary page, solved as the page's script would."""
    token = re.search(rf'name="{pow.CHALLENGE_FIELD}" value="([^"]+)"', page)
    difficulty = re.search(r'data-pow-difficulty="(\d+)"', page)
    assert token and difficulty, "the summary page has no proof-of-work challenge"
    return {
        pow.CHALLENGE_FIELD: token[1],
        pow.NONCE_FIELD: pow.solve(token[1], int(difficulty[1])),
    }


def send(client: Client, token: str) -> HttpResponse:
    """Press the summary's send button as a browser does (the proof of work solved)."""
    summary = client.get(f"/dienste/entwurf/{token}/zusammenfassung/")
    # a draft already sent has no summary any more; its repeat needs no proof of work
    fields = solved(summary.content.decode()) if summary.status_code == 200 else {}
    return client.post(f"/dienste/entwurf/{token}/einreichen/", fields)


def submit(client: Client, token: str) -> str:
    response = send(client, token)
    assert response.status_code == 302, response.content[:300]
    match = re.fullmatch(r"/dienste/status/([A-Za-z0-9_-]{43})/", response["Location"])
    assert match, response["Location"]
    return match.group(1)


def content(dokument: Dokument) -> bytes:
    version = Dokumentversion.objects.get(dokument=dokument, nummer=1)
    with blob_open(blob=version.blob) as reader:
        return bytes(reader.read_all())


def pdf_text(pdf: bytes) -> tuple[str, bytes]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return text, reader.trailer["/Root"]["/Metadata"].get_object().get_data()


@pytest.mark.django_db(transaction=True)
def test_submission_files_a_vorgang_with_documents_and_mails_the_receipt(
    demo: dict[str, Leistung],
) -> None:
    client = Client(HTTP_HOST=A)
    token = filled(client)
    status = submit(client, token)
    antrag = Antrag.objects.get()
    leistung = demo["99102013104000"]
    assert Entwurf.objects.count() == 0  # the draft is consumed
    assert antrag.leistung == leistung and antrag.status == AntragStatus.EINGEGANGEN
    assert antrag.antragsteller_email == "erika@example.org"
    assert antrag.antragsteller_name == "Erika Mustermann"
    assert str(antrag.gebuehr) == "24.00"  # two copies at 12 €
    assert antrag.werte["urkunden"][0]["anzahl"] == "2"
    assert antrag.werte["geburtsdatum"] == "1964-08-12"
    assert antrag.daten["urkunden-0-anzahl"] == "2"  # the entries as typed, as in the draft
    assert antrag.token_hash != status and len(antrag.token_hash) == 64
    vorgang = antrag.vorgang
    assert vorgang.bearbeitende_oe == leistung.zustaendige_oe
    assert vorgang.akte.position == leistung.aktenplanposition
    assert vorgang.akte.titel.startswith("Online-Anträge Personenstandsurkunde bestellen")
    assert antrag_for_vorgang(vorgang) == antrag
    titles = sorted(d.titel for d in Dokument.objects.filter(vorgang=vorgang))
    assert titles == ["Antrag", "Antrag (Datensatz)", "Eingangsbestätigung"]
    record = json.loads(content(Dokument.objects.get(vorgang=vorgang, titel="Antrag (Datensatz)")))
    assert record["daten"]["nachname"] == "Mustermann"
    assert record["geschaeftszeichen"] == antrag.geschaeftszeichen
    text, xmp = pdf_text(content(Dokument.objects.get(vorgang=vorgang, titel="Antrag")))
    assert b'pdfaid:part="2"' in xmp
    for entry in ("Erika Mustermann", "Geburtsurkunde", "Heidestraße 17", "24,00 €"):
        assert entry in text  # every entry readable in the PDF/A copy
    assert antrag.geschaeftszeichen in text
    assert antrag.eingangsbestaetigung is not None
    text, xmp = pdf_text(content(antrag.eingangsbestaetigung))
    assert b'pdfaid:part="2"' in xmp
    assert "Eingangsbestätigung" in text and antrag.geschaeftszeichen in text
    # the mail is queued on commit; the worker sends it
    call_command("worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)
    [sent] = [m for m in mail.outbox if "erika@example.org" in m.to]
    assert antrag.geschaeftszeichen in sent.subject and "Eingangsbestätigung" in sent.subject
    assert f"/dienste/status/{status}/" in sent.body
    assert "Mustermann" not in sent.body  # no case content in the mail
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"antrag.submit", "vorgang.create", "dokument.create"} <= actions


def test_double_submit_gives_one_antrag_and_the_same_receipt(demo: dict[str, Leistung]) -> None:
    client = Client(HTTP_HOST=A)
    token = filled(client)
    first = submit(client, token)
    other = Client(HTTP_HOST=A)
    second = submit(other, token)  # another tab, a replayed POST
    assert first == second
    assert Antrag.objects.count() == 1 and Vorgang.objects.count() == 1
    assert "Ihr Antrag wurde abgesendet" in client.get(f"/dienste/status/{first}/").content.decode()
    assert "bereits abgesendet" in other.get(f"/dienste/status/{second}/").content.decode()


def _challenge(client: Client) -> dict[str, str]:
    """A solved challenge of the send button (from another, complete draft's summary)."""
    other = filled(client)
    return solved(client.get(f"/dienste/entwurf/{other}/zusammenfassung/").content.decode())


def test_incomplete_draft_is_not_submitted(demo: dict[str, Leistung]) -> None:
    client = Client(HTTP_HOST=A)
    fields = _challenge(client)
    token = start(client)
    response = client.post(f"/dienste/entwurf/{token}/einreichen/", fields)
    assert response["Location"] == f"/dienste/entwurf/{token}/zusammenfassung/"
    assert Antrag.objects.count() == 0 and Entwurf.objects.count() == 2


def test_sending_needs_the_proof_of_work_once(demo: dict[str, Leistung]) -> None:
    client = Client(HTTP_HOST=A)
    token = filled(client)
    url = f"/dienste/entwurf/{token}/einreichen/"
    page = client.get(f"/dienste/entwurf/{token}/zusammenfassung/").content.decode()
    fields = solved(page)
    # without the work, with a wrong nonce, or with a challenge just issued (no JavaScript):
    # the summary again, with the reason and a challenge, nothing sent
    for data in (
        {},
        {**fields, pow.NONCE_FIELD: "0"},
        {pow.CHALLENGE_FIELD: fields[pow.CHALLENGE_FIELD]},
    ):
        response = client.post(url, data)
        assert response.status_code == 200
        text = response.content.decode()
        assert "Der Antrag wurde nicht abgesendet." in text and 'role="alert"' in text
        assert pow.CHALLENGE_FIELD in text
    assert Antrag.objects.count() == 0
    # a challenge of another Mandant's host is refused there
    assert Client(HTTP_HOST=B).post(url, fields).status_code == 404
    assert client.post(url, fields).status_code == 302
    assert Antrag.objects.count() == 1
    # the same solved challenge does not send a second application
    second = filled(client)
    response = client.post(f"/dienste/entwurf/{second}/einreichen/", fields)
    assert response.status_code == 200 and Antrag.objects.count() == 1


def test_sending_is_rate_limited_per_client_address(
    demo: dict[str, Leistung], settings: object
) -> None:
    settings.AMTSFLUSS_ANTRAG_RATE = "2/h"  # type: ignore[attr-defined]
    client = Client(HTTP_HOST=A)
    for _ in range(2):
        assert send(client, filled(client)).status_code == 302
    response = send(client, filled(client))
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert Antrag.objects.count() == 2


def test_submit_needs_post_and_a_real_draft(demo: dict[str, Leistung]) -> None:
    client = Client(HTTP_HOST=A)
    token = filled(client)
    assert client.get(f"/dienste/entwurf/{token}/einreichen/").status_code == 405
    assert client.post(f"/dienste/entwurf/{'x' * 43}/einreichen/").status_code == 404
    assert client.post("/dienste/entwurf/..%2F..%2Fetc/einreichen/").status_code == 404
    # another Mandant's host does not know the draft
    assert Client(HTTP_HOST=B).post(f"/dienste/entwurf/{token}/einreichen/").status_code == 404
    assert Antrag.objects.count() == 0


def test_status_page_timeline_and_tampered_tokens(demo: dict[str, Leistung]) -> None:
    client = Client(HTTP_HOST=A)
    status = submit(client, filled(client))
    antrag = Antrag.objects.get()
    page = client.get(f"/dienste/status/{status}/")
    assert page.status_code == 200 and page["Cache-Control"].startswith("max-age=0")
    text = page.content.decode()
    assert antrag.geschaeftszeichen in text and "Eingegangen" in text
    assert "Bearbeitungsdauer etwa 5 Tage" in text
    antrag_status_set(antrag=antrag, status=AntragStatus.IN_BEARBEITUNG, by=None, note="Los")
    text = client.get(f"/dienste/status/{status}/").content.decode()
    assert "In Bearbeitung" in text and "Los" in text
    receipt = client.get(f"/dienste/status/{status}/eingangsbestaetigung.pdf")
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
    assert receipt["Content-Disposition"].startswith("attachment;")
    tampered = status[:-1] + ("A" if status[-1] != "A" else "B")
    for bad in (tampered, "x" * 43, status.upper(), status[:20]):
        assert client.get(f"/dienste/status/{bad}/").status_code == 404
        assert client.get(f"/dienste/status/{bad}/eingangsbestaetigung.pdf").status_code == 404
    assert Client(HTTP_HOST=B).get(f"/dienste/status/{status}/").status_code == 404
    with pytest.raises(Http404):
        antrag_by_token(mandant=antrag.mandant, token=antrag.token_hash)  # the hash is no key
    assert status_token(antrag.einreichung_hash) == status


@pytest.mark.django_db(transaction=True)
def test_status_change_mails_the_applicant(demo: dict[str, Leistung]) -> None:
    client = Client(HTTP_HOST=A)
    status = submit(client, filled(client))
    antrag = Antrag.objects.get()
    call_command("worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)
    mail.outbox.clear()  # the receipt
    antrag_status_set(antrag=antrag, status=AntragStatus.IN_BEARBEITUNG, by=None)
    antrag_status_set(antrag=antrag, status=AntragStatus.IN_BEARBEITUNG, by=None)  # no change
    antrag_status_set(antrag=antrag, status=AntragStatus.ABGESCHLOSSEN, by=None)
    call_command("worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)
    subjects = [m.subject for m in mail.outbox if m.to == ["erika@example.org"]]
    assert len(subjects) == 2
    assert "In Bearbeitung" in subjects[0] and "Abgeschlossen" in subjects[1]
    assert all(f"/dienste/status/{status}/" in m.body for m in mail.outbox)
    assert list(antrag.ereignisse.values_list("status", flat=True)) == [
        "eingegangen",
        "in_bearbeitung",
        "abgeschlossen",
    ]


def test_files_go_through_the_posteingang_into_the_vorgang(demo: dict[str, Leistung]) -> None:
    client = Client(HTTP_HOST=A)
    token = filled(client)
    mandant = demo["99102013104000"].mandant
    dateien = [
        Datei("nachweis.pdf", text_pdf(["Vollmacht", "Erika Mustermann"])),
        Datei("../../etc/passwd.pdf", b"MZ\x90\x00 not a pdf at all"),  # content ≠ extension
    ]
    result = antrag_submit(mandant=mandant, token=token, dateien=dateien)
    sendung = Sendung.objects.get()
    assert sendung.ziel_vorgang_id == result.antrag.vorgang_id
    eingaenge = {e.dateiname: e for e in Eingang.objects.filter(sendung=sendung)}
    assert set(eingaenge) == {"nachweis.pdf", "passwd.pdf"}  # no path survives
    assert eingaenge["nachweis.pdf"].status == EingangStatus.GEPRUEFT
    assert eingaenge["passwd.pdf"].status == EingangStatus.ABGEWIESEN
    assert eingaenge["passwd.pdf"].grund
    assert Antrag.objects.count() == 1


def test_status_page_shows_the_postfach_and_the_payment(
    katalog: Katalog, demo: dict[str, Leistung]
) -> None:
    client = Client(HTTP_HOST=A)
    status = submit(client, filled(client))
    antrag = Antrag.objects.select_related("vorgang").get()
    w = katalog.w
    standesamt = make_user(w.a, "standesamt", w.units["34"], Role.SACHBEARBEITUNG)
    rueckfrage_stellen(
        principal=Principal(user=standesamt, mandant=w.a),
        vorgang=antrag.vorgang,
        betreff="Bitte Ausweiskopie",
        text="Bitte laden Sie eine Kopie Ihres Ausweises hoch.",
        empfaenger_email=antrag.antragsteller_email,
    )
    empfaenger_set(mandant=w.a, name="Stadtkasse A", iban=DEMO_IBAN, bic=DEMO_BIC, praefix="KZ")
    forderung, _token = forderung_create(
        mandant=w.a, betrag=antrag.gebuehr, zweck="Geburtsurkunde", vorgang=antrag.vorgang
    )
    page = client.get(f"/dienste/status/{status}/").content.decode()
    assert "Bitte Ausweiskopie" in page and forderung.kassenzeichen in page
    assert "<svg" in page  # the GiroCode while open
    antrag.refresh_from_db()
    assert antrag.status == AntragStatus.RUECKFRAGE  # the Postfach's hook
    assert client.get(f"/dienste/status/{status}/bezahlen/").status_code == 405
    assert client.post(f"/dienste/status/{'x' * 43}/bezahlen/").status_code == 404
    assert Client(HTTP_HOST=B).post(f"/dienste/status/{status}/bezahlen/").status_code == 404
    to_payment = client.post(f"/dienste/status/{status}/bezahlen/")
    assert to_payment.status_code == 302 and to_payment["Location"].startswith("/zahlung/")
    payment = client.get(to_payment["Location"])
    assert payment.status_code == 200 and forderung.kassenzeichen in payment.content.decode()


def test_the_bescheid_reads_the_submitted_entries_as_typed_values(
    demo: dict[str, Leistung],
) -> None:
    client = Client(HTTP_HOST=A)
    submit(client, filled(client))
    facts = antrag_facts(Antrag.objects.get().vorgang)
    assert facts is not None
    assert facts.values["urkunden"][0]["art"] == "geburt"
    assert facts.values["anschrift"]["ort"] == "Köln"
    assert facts.name == "Erika Mustermann" and facts.email == "erika@example.org"


def test_status_page_costs_constant_queries(
    demo: dict[str, Leistung], django_assert_max_num_queries: object
) -> None:
    client = Client(HTTP_HOST=A)
    status = submit(client, filled(client))
    antrag = Antrag.objects.get()
    for step in ("in_bearbeitung", "rueckfrage", "in_bearbeitung", "entschieden"):
        antrag_status_set(antrag=antrag, status=step, by=None)
    with django_assert_max_num_queries(25):  # type: ignore[operator]
        assert client.get(f"/dienste/status/{status}/").status_code == 200
