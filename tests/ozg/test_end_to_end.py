"""The test that proves it (issue 5): both demo services from the citizen's application to the
zdA, every step through the real pages in headless Chromium, as the person who does it.

The demo is loaded as ``make run`` loads it (``amtsfluss demo``, ``amtsfluss siegel demo``) and
the staff are its demo users. A citizen without an account finds the service, fills every step
(with an upload), sends it (the page's proof of work, not bypassed), gets the receipt page and
mail; the clerk of the unit sets it in Bearbeitung and asks a Rückfrage with a Frist; the citizen
answers with a file; the clerk drafts the Bescheid from the service's template and asks the
Amtsleitung, who signs (the drafter cannot); the citizen downloads the sealed Bescheid (seal
validated with pyHanko, Kassenzeichen and GiroCode in it); the Kasse imports a CAMT.053
statement that pays the fee; the clerk closes the Antrag and the Vorgang and puts the Akte zdA.
The ORM is only read, to assert. axe-core checks every public page the citizen sees.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.mail import EmailMessage
from django.db import connections
from django.utils import timezone
from playwright.sync_api import Page
from pypdf import PdfReader

from amtsfluss.akte.models import AktenStatus, Dokument, VorgangStatus, Wiedervorlage
from amtsfluss.bescheid.models import Bescheid, BescheidStatus
from amtsfluss.core.models import Mandant, User
from amtsfluss.core.text_pdf import text_pdf
from amtsfluss.dienste.models import Antrag, AntragStatus
from amtsfluss.kasse.girocode import girocode_qr
from amtsfluss.kasse.models import Forderung, Zustand
from amtsfluss.postfach.models import Nachricht, Richtung
from amtsfluss.siegel.services import SealReport, validate_seal
from tests.browser import assert_accessible
from tests.ozg.conftest import camt053, run_worker
from tests.ozg.girocode import expected_modules, modules_in_pdf

pytestmark = pytest.mark.browser

APPLICANT = "erika.mustermann@example.org"
#: sending waits for the page's proof of work (Web Crypto in a Worker, default difficulty)
SEND_TIMEOUT_MS = 120_000


def next_step(page: Page) -> None:
    with page.expect_navigation():
        page.click("button[name=aktion][value=weiter]")


def fill_urkunde(page: Page, upload: Path) -> None:
    """Two copies of a birth certificate, ordered by the heir with a proof of her interest."""
    page.check("input[name='urkunden-0-art'][value='geburt']")
    page.fill("[name='urkunden-0-anzahl']", "2")
    page.fill("[name='urkunden-0-personen']", "Mustermann, Hans")
    page.fill("[name='urkunden-0-datum']", "03.02.1938")
    page.fill("[name='urkunden-0-registernummer']", "G 123/1938")
    assert_accessible(page, label="schritt-1")
    next_step(page)
    page.fill("[name=vorname]", "Erika")
    page.fill("[name=nachname]", "Mustermann")
    page.fill("[name=geburtsdatum]", "12.08.1964")
    page.fill("[name=anschrift-strasse]", "Heidestraße 17")
    page.fill("[name=anschrift-plz]", "51147")
    page.fill("[name=anschrift-ort]", "Köln")
    page.fill("[name=email]", APPLICANT)
    page.fill("[name=telefon]", "0221 123456")
    page.check("input[name=berechtigung][value=interesse]")
    page.fill("[name=begruendung]", "Ich bin die Erbin meines Vaters Hans Mustermann.")
    page.set_input_files("input[type=file][name=nachweis]", str(upload))
    assert_accessible(page, label="schritt-2")
    next_step(page)
    page.check("input[name=versand][value=abholung]")
    page.select_option("[name=verwendungszweck]", "erbschaft")
    assert_accessible(page, label="schritt-3")
    next_step(page)


def fill_gewerbe(page: Page, upload: Path) -> None:
    """GewA 1 of a sole trader whose trade needs a permit (a copy of it uploaded)."""
    page.select_option("[name=rechtsform]", "einzelunternehmen")
    assert_accessible(page, label="schritt-1")
    next_step(page)
    page.fill("[name=nachname]", "Mustermann")
    page.fill("[name=vornamen]", "Erika")
    page.check("input[name=geschlecht][value=weiblich]")
    page.fill("[name=geburtsdatum]", "12.08.1964")
    page.fill("[name=geburtsort]", "Köln, Deutschland")
    page.fill("[name=staatsangehoerigkeit]", "deutsch")
    page.fill("[name=wohnanschrift-strasse]", "Heidestraße 17")
    page.fill("[name=wohnanschrift-plz]", "51147")
    page.fill("[name=wohnanschrift-ort]", "Köln")
    page.fill("[name=email]", APPLICANT)
    page.fill("[name=telefon]", "0221 123456")
    assert_accessible(page, label="schritt-2")
    next_step(page)
    # Gesetzliche Vertreter: only for companies; a sole trader leaves the step as it is
    assert page.locator("[name^='vertretung-']").count() == 0
    assert_accessible(page, label="schritt-3")
    next_step(page)
    page.fill("[name=betriebsanschrift-strasse]", "Marktplatz 3")
    page.fill("[name=betriebsanschrift-plz]", "12345")
    page.fill("[name=betriebsanschrift-ort]", "Musterstadt")
    page.fill("[name=taetigkeit]", "Versicherungsvermittlung (Versicherungsmaklerin)")
    page.check("input[name=art][value=sonstiges]")
    page.fill("[name=beginn]", f"{timezone.localdate() + timedelta(days=30):%d.%m.%Y}")
    page.check("input[name=anlass][value=neugruendung]")
    page.check("input[name=nebenerwerb][value=nein]")
    page.fill("[name=vollzeit]", "1")
    page.fill("[name=teilzeit]", "0")
    page.check("input[name=erlaubnis][value=ja]")
    page.fill("[name=erlaubnis_behoerde]", "IHK Köln, 01.10.2026")
    page.set_input_files("input[type=file][name=erlaubnisurkunde]", str(upload))
    assert_accessible(page, label="schritt-4")
    next_step(page)


@dataclass(frozen=True)
class Dienst:
    leika: str
    name: str
    suche: str
    fill: Callable[[Page, Path], None]
    upload: str
    gebuehr: Decimal
    gebuehr_text: str
    clerk: str
    bescheid_titel: str


URKUNDE = Dienst(
    leika="99102013104000",
    name="Personenstandsurkunde bestellen",
    suche="Geburtsurkunde",
    fill=fill_urkunde,
    upload="erbschein.pdf",
    gebuehr=Decimal("24.00"),  # 2 copies at 12 €
    gebuehr_text="24,00 €",
    clerk="standesamt",
    bescheid_titel="Bescheid über die Ausstellung von Personenstandsurkunden",
)
GEWERBE = Dienst(
    leika="99050012104000",
    name="Gewerbeanmeldung",
    suche="Gewerbeschein",
    fill=fill_gewerbe,
    upload="erlaubnis.pdf",
    gebuehr=Decimal("26.00"),
    gebuehr_text="26,00 €",
    clerk="sachbearbeitung",
    bescheid_titel="Empfangsbescheinigung über eine Gewerbeanzeige (§ 15 Abs. 1 GewO)",
)


def link_path(mail: EmailMessage) -> str:
    body = str(mail.body)
    found = re.search(r"https?://[^/\s]+(/dienste/status/[A-Za-z0-9_-]{43}/[^\s]*)", body)
    assert found, body
    return found[1]


def apply(page: Page, dienst: Dienst, upload: Path) -> str:
    """Step 1: find the service, fill the form, send it. Returns the status page's path."""
    page.goto("/dienste/")
    assert_accessible(page, label="katalog")
    page.fill("#dienste-q", dienst.suche)
    with page.expect_navigation():
        page.get_by_role("button", name="Suchen").click()
    assert_accessible(page, label="suche")
    with page.expect_navigation():
        page.click(f"main a[href='/dienste/{dienst.leika}/']")
    assert page.get_by_role("heading", level=1).inner_text() == dienst.name
    assert_accessible(page, label="leistung")
    with page.expect_navigation():
        page.get_by_role("link", name="Antrag starten").click()
    assert_accessible(page, label="antrag-start")
    with page.expect_navigation():
        page.get_by_role("button", name="Beginnen").click()
    assert re.search(r"/dienste/entwurf/[A-Za-z0-9_-]{43}/1/$", page.url), page.url
    dienst.fill(page, upload)
    assert page.url.endswith("/zusammenfassung/"), page.url
    assert page.get_by_text(dienst.gebuehr_text).count() >= 1  # the fee before sending
    assert_accessible(page, label="zusammenfassung")
    with page.expect_navigation(timeout=SEND_TIMEOUT_MS):
        page.get_by_role("button", name="Antrag absenden").click()
    assert page.get_by_text("Ihr Antrag wurde abgesendet.").count() == 1
    antrag = Antrag.objects.get()
    assert page.get_by_text(antrag.geschaeftszeichen).count() >= 1
    assert page.get_by_role("link", name="Eingangsbestätigung (PDF)").count() == 1
    assert_accessible(page, label="status-eingegangen")
    path = page.url.removeprefix(page.url.split("/dienste/")[0])
    assert re.fullmatch(r"/dienste/status/[A-Za-z0-9_-]{43}/", path), path
    return path


def open_status(page: Page, path: str, label: str) -> None:
    page.goto(path)
    assert_accessible(page, label=label)


def current_state(page: Page) -> str:
    return page.locator("[aria-current=step] .kern-body--bold").inner_text()


def seal_report(mandant: Mandant, pdf: bytes) -> SealReport:
    """pyHanko's validator (``validate_seal``) runs its own asyncio loop, which cannot start on
    this thread while Playwright's loop is registered here: it runs on a thread of its own."""

    def validate() -> SealReport:
        try:
            return validate_seal(mandant=mandant, pdf=pdf)
        finally:
            connections.close_all()  # the thread's own connection

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(validate).result()


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def dokumente_titles(antrag: Antrag) -> list[str]:
    return sorted(Dokument.objects.filter(vorgang=antrag.vorgang).values_list("titel", flat=True))


@pytest.mark.parametrize("dienst", [URKUNDE, GEWERBE], ids=["personenstandsurkunde", "gewerbe"])
def test_from_application_to_zda(
    page: Page,
    musterstadt: Mandant,
    staff_window: Callable[[str], Page],
    mailoutbox: list[EmailMessage],
    dienst: Dienst,
    tmp_path: Path,
) -> None:
    # 1. The citizen applies (no account) ---------------------------------------------------
    beilage = tmp_path / dienst.upload
    beilage.write_bytes(text_pdf(["Nachweis", f"zum Antrag {dienst.name}"]))
    status = apply(page, dienst, beilage)
    antrag = Antrag.objects.select_related("vorgang__akte").get()
    assert antrag.leistung.leika_schluessel == dienst.leika
    assert antrag.status == AntragStatus.EINGEGANGEN and antrag.gebuehr == dienst.gebuehr
    assert antrag.vorgang.bearbeitende_oe == antrag.leistung.zustaendige_oe
    run_worker()  # mails queued on commit; the upload through the Posteingang pipeline
    [receipt] = [m for m in mailoutbox if "Eingangsbestätigung" in m.subject]
    assert receipt.to == [APPLICANT] and antrag.geschaeftszeichen in receipt.subject
    assert link_path(receipt) == status
    assert dienst.upload in Dokument.objects.filter(vorgang=antrag.vorgang).values_list(
        "versionen__dateiname", flat=True
    )

    # 2. The clerk of the unit: in Bearbeitung, Rückfrage with a Frist ----------------------
    mailoutbox.clear()
    clerk = staff_window(dienst.clerk)
    clerk.goto("/intern/antraege/")
    with clerk.expect_navigation():
        clerk.get_by_role("link", name="Erika Mustermann").click()
    assert clerk.url.endswith(f"/intern/antraege/{antrag.pk}/")
    with clerk.expect_navigation():
        clerk.get_by_role("button", name="Auf „In Bearbeitung“ setzen").click()
    antrag.refresh_from_db()
    assert antrag.status == AntragStatus.IN_BEARBEITUNG
    vorgang_path = f"/intern/vorgaenge/{antrag.vorgang_id}/"
    with clerk.expect_navigation():
        clerk.click(f"main a[href='{vorgang_path}']")
    with clerk.expect_navigation():
        clerk.click(f"main a[href='/intern/postfach/vorgaenge/{antrag.vorgang_id}/']")
    frist = timezone.localdate() + timedelta(days=14)
    assert clerk.input_value("#id_rueckfrage-empfaenger_email") == APPLICANT
    clerk.fill("#id_rueckfrage-betreff", "Bitte Nachweis ergänzen")
    clerk.fill("#id_rueckfrage-text", "Bitte senden Sie uns den Nachweis als PDF.")
    clerk.fill("#id_rueckfrage-frist", frist.isoformat())
    with clerk.expect_navigation():
        clerk.get_by_role("button", name="Rückfrage senden").click()
    antrag.refresh_from_db()
    assert antrag.status == AntragStatus.RUECKFRAGE
    assert Wiedervorlage.objects.filter(vorgang=antrag.vorgang, faellig_am=frist).count() == 1

    # 3. The citizen follows the notice's link, sees the Rückfrage and answers with a file ----
    run_worker()
    assert all(m.to == [APPLICANT] for m in mailoutbox)
    subjects = sorted(m.subject for m in mailoutbox)  # a mail on every change, and the notice
    assert [s for s in subjects if s.startswith("Ihr Antrag")] == [
        f"Ihr Antrag {antrag.geschaeftszeichen}: In Bearbeitung",
        f"Ihr Antrag {antrag.geschaeftszeichen}: Rückfrage",
    ]
    [notice] = [m for m in mailoutbox if m.subject.startswith("Neue Nachricht")]
    assert link_path(notice) == f"{status}#postfach"
    page = page.context.new_page()  # the link opens in a new tab, as from a mail program
    open_status(page, link_path(notice), "status-rueckfrage")
    assert current_state(page) == "Rückfrage"
    assert page.get_by_text("Bitte senden Sie uns den Nachweis als PDF.").count() == 1
    antwort_datei = tmp_path / "nachweis-nachgereicht.pdf"
    antwort_datei.write_bytes(text_pdf(["Nachgereichter Nachweis", antrag.geschaeftszeichen]))
    page.fill("#id_antwort-text", "Anbei der Nachweis.")
    page.set_input_files("#id_antwort-dateien", str(antwort_datei))
    with page.expect_navigation():
        page.click("#postfach form button[type=submit]")
    assert page.url.endswith(f"{status}#postfach")
    assert page.get_by_text("nachweis-nachgereicht.pdf – empfangen").count() == 1
    assert_accessible(page, label="status-antwort")
    run_worker()  # the Posteingang files the answer's file
    antwort = Nachricht.objects.get(richtung=Richtung.VON_ANTRAGSTELLER)
    assert antwort.vorgang_id == antrag.vorgang_id and antwort.text == "Anbei der Nachweis."
    assert "nachweis-nachgereicht.pdf" in Dokument.objects.filter(
        vorgang=antrag.vorgang
    ).values_list("versionen__dateiname", flat=True)
    antrag.refresh_from_db()
    assert antrag.status == AntragStatus.IN_BEARBEITUNG

    # 4. The clerk drafts the Bescheid from the template and asks the Amtsleitung ------------
    clerk.goto(vorgang_path)
    with clerk.expect_navigation():
        clerk.click(f"main a[href='/intern/bescheide/vorgang/{antrag.vorgang_id}/']")
    assert dienst.name in clerk.locator("#id_leistung option:checked").inner_text()  # preset
    with clerk.expect_navigation():
        clerk.get_by_role("button", name="Bescheid entwerfen").click()
    bescheid = Bescheid.objects.get(vorgang=antrag.vorgang)
    assert bescheid.titel == dienst.bescheid_titel
    leitung = User.objects.get(username="amtsleitung")
    clerk.select_option("#id_signer", label=leitung.display_name)
    with clerk.expect_navigation():
        clerk.get_by_role("button", name="Schlusszeichnung anfordern").click()
    bescheid.refresh_from_db()
    assert bescheid.status == BescheidStatus.ZUR_SCHLUSSZEICHNUNG
    assert bescheid.requested_from == leitung

    # 5. The drafter cannot sign; the Amtsleitung signs ----------------------------------------
    assert clerk.get_by_role("button", name="Bescheid zeichnen").count() == 0
    csrf = clerk.input_value("form input[name=csrfmiddlewaretoken] >> nth=0")
    refused = clerk.request.post(
        f"/intern/bescheide/{bescheid.pk}/zeichnen/",
        form={"csrfmiddlewaretoken": csrf},
        headers={"Referer": clerk.url},
    )
    assert refused.status == 404
    assert Bescheid.objects.get(pk=bescheid.pk).status == BescheidStatus.ZUR_SCHLUSSZEICHNUNG
    amtsleitung = staff_window("amtsleitung")
    amtsleitung.goto("/intern/bescheide/zur-schlusszeichnung/")
    with amtsleitung.expect_navigation():
        amtsleitung.click(f"main a[href='/intern/bescheide/{bescheid.pk}/']")
    with amtsleitung.expect_navigation():
        amtsleitung.get_by_role("button", name="Bescheid zeichnen").click()
    bescheid.refresh_from_db()
    assert bescheid.status == BescheidStatus.ZUGESTELLT and bescheid.signed_by == leitung
    forderung = Forderung.objects.get(vorgang=antrag.vorgang)
    assert forderung.betrag == dienst.gebuehr and forderung.zustand == Zustand.OFFEN

    # 6. The citizen sees "entschieden" and downloads the sealed Bescheid ----------------------
    open_status(page, status, "status-entschieden")
    assert current_state(page) == "Entschieden"
    assert page.locator("#kassenzeichen").inner_text() == forderung.kassenzeichen
    download_link = page.locator("#postfach a[href*='/dokumente/']").filter(has_text=bescheid.titel)
    with page.expect_download() as download:
        download_link.click()
    pdf = Path(download.value.path()).read_bytes()
    report = seal_report(musterstadt, pdf)
    assert report.ok, report.summary
    text = pdf_text(pdf)
    assert antrag.vorgang.akte.aktenzeichen in text
    assert forderung.kassenzeichen in text
    assert dienst.gebuehr_text in text
    girocode = girocode_qr(forderung)
    printed = modules_in_pdf(pdf, int(girocode.symbol_size(border=0)[0]))
    assert len(printed) == 1, "the Bescheid holds no (or more than one) GiroCode"
    assert (printed[0] == expected_modules(girocode.matrix)).all(), "GiroCode ≠ the fee's EPC data"

    # 7. The Kasse imports the bank statement; the fee is paid --------------------------------
    kasse = staff_window("kasse")
    kasse.goto("/intern/kasse/kontoauszug/")
    statement = camt053(
        mandant=musterstadt,
        kassenzeichen=forderung.kassenzeichen,
        betrag=dienst.gebuehr,
        zweck=dienst.name,
    )
    kasse.set_input_files(
        "#datei", {"name": "auszug.xml", "mimeType": "application/xml", "buffer": statement}
    )
    with kasse.expect_navigation():
        kasse.get_by_role("button", name="Einlesen").click()
    assert kasse.locator("#bericht-summe").inner_text().startswith("1 zugeordnet")
    forderung.refresh_from_db()
    assert forderung.zustand == Zustand.BEZAHLT
    open_status(page, status, "status-bezahlt")
    assert page.locator("#zustand").inner_text().startswith("bezahlt")

    # 8. The clerk closes the Antrag and the Vorgang, and puts the Akte zdA --------------------
    clerk.goto(f"/intern/antraege/{antrag.pk}/")
    with clerk.expect_navigation():
        clerk.get_by_role("button", name="Auf „Abgeschlossen“ setzen").click()
    with clerk.expect_navigation():
        clerk.click(f"main a[href='{vorgang_path}']")
    clerk.click("#bearbeiten summary")
    clerk.select_option("#bearbeiten select[name$=status]", VorgangStatus.ERLEDIGT)
    with clerk.expect_navigation():
        clerk.click("#bearbeiten button[type=submit]")
    with clerk.expect_navigation():
        clerk.click(f"main a[href='/intern/akten/{antrag.vorgang.akte_id}/'] >> nth=0")
    with clerk.expect_navigation():
        clerk.get_by_role("button", name="Akte schließen (zdA)").click()
    antrag.refresh_from_db()
    antrag.vorgang.refresh_from_db()
    antrag.vorgang.akte.refresh_from_db()
    assert antrag.status == AntragStatus.ABGESCHLOSSEN
    assert antrag.vorgang.status == VorgangStatus.ERLEDIGT
    assert antrag.vorgang.akte.status == AktenStatus.ZDA
    open_status(page, status, "status-abgeschlossen")
    assert current_state(page) == "Abgeschlossen"
