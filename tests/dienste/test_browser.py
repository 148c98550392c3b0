"""axe-core in headless Chromium: the catalogue, a form step (with its error summary), the
summary, submission and the status page, at desktop width and at 360 px."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from playwright.sync_api import Page

from amtsfluss.core.models import Role
from amtsfluss.core.permissions import Principal
from amtsfluss.dienste.models import Antrag, Leistung
from amtsfluss.kasse.services.empfaenger import empfaenger_set
from amtsfluss.kasse.services.forderung import forderung_create
from amtsfluss.postfach.services import rueckfrage_stellen
from tests.browser import assert_accessible, sign_in
from tests.conftest import PASSWORD, make_user
from tests.dienste.conftest import GEWERBE, URKUNDE, Katalog
from tests.dienste.test_einreichung import filled, send
from tests.kasse.conftest import DEMO_BIC, DEMO_IBAN

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 360])
def test_catalogue_and_form_step_are_accessible(
    page: Page, demo: dict[str, Leistung], width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/dienste/")
    assert page.locator(f"a[href='/dienste/{URKUNDE}/']").count() >= 1
    assert_accessible(page, label=f"katalog-{width}")
    page.goto(f"/dienste/{URKUNDE}/")
    assert_accessible(page, label=f"leistung-{width}")
    page.goto(f"/dienste/{GEWERBE}/antrag/")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/dienste/entwurf/" in page.url
    assert_accessible(page, label=f"schritt-{width}")
    page.select_option("#f-rechtsform", "gmbh")
    with page.expect_navigation():
        page.click("button[value=weiter]")
    assert page.locator("#fehler a[href='#f-firmenname']").count() == 1
    assert_accessible(page, label=f"schritt-fehler-{width}")
    if width == 360:
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, "the page scrolls sideways at 360 px"


def with_postfach_and_payment(katalog: Katalog, antrag: Antrag) -> None:
    w = katalog.w
    clerk = make_user(w.a, "standesamt", w.units["34"], Role.SACHBEARBEITUNG)
    rueckfrage_stellen(
        principal=Principal(user=clerk, mandant=w.a),
        vorgang=antrag.vorgang,
        betreff="Bitte Ausweiskopie",
        text="Bitte laden Sie eine Kopie Ihres Ausweises hoch.",
        empfaenger_email=antrag.antragsteller_email,
    )
    empfaenger_set(mandant=w.a, name="Stadtkasse A", iban=DEMO_IBAN, bic=DEMO_BIC, praefix="KZ")
    forderung_create(mandant=w.a, betrag=Decimal("24.00"), zweck="Urkunde", vorgang=antrag.vorgang)


@pytest.mark.parametrize("width", [1280, 360])
def test_submit_and_status_page_are_accessible(
    page: Page, katalog: Katalog, demo: dict[str, Leistung], width: int
) -> None:
    token = filled(Client(HTTP_HOST="localhost"))  # the steps are tested above and in test_antrag
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"/dienste/entwurf/{token}/zusammenfassung/")
    assert_accessible(page, label=f"zusammenfassung-{width}")
    with page.expect_navigation():
        page.get_by_role("button", name="Antrag absenden").click()
    assert "/dienste/status/" in page.url
    assert page.get_by_text("Ihr Antrag wurde abgesendet.").count() == 1
    assert page.locator("[aria-current=step]").count() == 1
    assert_accessible(page, label=f"status-{width}")
    status_url = page.url
    page.go_back()  # the summary again: its draft is gone, a second send finds the Antrag
    page.goto(status_url)
    receipt = page.locator("a[href$='/eingangsbestaetigung.pdf']")
    assert receipt.count() == 1
    with page.expect_download() as download:
        receipt.click()
    assert download.value.suggested_filename.startswith("eingangsbestaetigung-")
    with_postfach_and_payment(katalog, Antrag.objects.select_related("vorgang").get())
    page.goto(status_url)
    assert page.get_by_text("Bitte Ausweiskopie").count() >= 1
    assert_accessible(page, label=f"status-postfach-zahlung-{width}")
    if width == 360:
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, "the status page scrolls sideways at 360 px"


def test_staff_pages_of_an_antrag_are_accessible(
    page: Page, katalog: Katalog, demo: dict[str, Leistung]
) -> None:
    client = Client(HTTP_HOST="localhost")
    token = filled(client)
    send(client, token)
    antrag = Antrag.objects.get()
    make_user(katalog.w.a, "standesamt", katalog.w.units["34"], Role.SACHBEARBEITUNG)
    sign_in(page, "standesamt", PASSWORD)
    page.goto("/intern/antraege/")
    assert_accessible(page, label="intern-antraege")
    with page.expect_navigation():
        page.click(f"a[href='/intern/antraege/{antrag.pk}/']")
    assert_accessible(page, label="intern-antrag")
    page.fill("#notiz", "Wir prüfen Ihren Antrag.")
    with page.expect_navigation():
        page.get_by_role("button", name="Auf „In Bearbeitung“ setzen").click()
    antrag.refresh_from_db()
    assert antrag.status == "in_bearbeitung"
    assert_accessible(page, label="intern-antrag-geaendert")
