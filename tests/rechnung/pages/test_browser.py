"""The E-Rechnung pages in headless Chromium: axe-core (WCAG 2.1 AA) with zero violations on
every page, in German and in English, and the approval decided with the keyboard alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from amtsfluss.rechnung.models import Rechnung, RechnungStatus
from amtsfluss.rechnung.services.freigabe import (
    rechnung_anordnen,
    rechnung_rechnerisch_richtig,
    rechnung_sachlich_richtig,
    rechnung_zurueckweisen,
)
from amtsfluss.rechnung.services.zahlungslauf import zahlungslauf_create
from tests.browser import assert_accessible, choose_language, sign_in
from tests.conftest import PASSWORD
from tests.rechnung.pages.conftest import Booked, as_, german, invoice

pytestmark = pytest.mark.browser


def submit(page: Page, selector: str) -> int:
    with page.expect_navigation() as navigation:
        page.click(selector)
    response = navigation.value
    assert response is not None
    return response.status


@pytest.fixture
def scene(booked: Booked) -> Booked:
    """Besides ``booked``: a rejected invoice, a duplicate, one angeordnet and a paid run."""
    w, rw = booked.rw.w, booked.rw
    rejected = rw.receive(invoice("R-2026-0500"), name="abgelehnt.xml")
    rechnung_zurueckweisen(principal=as_(w.clerk), rechnung=rejected, begruendung="Doppelt")
    rw.receive(invoice("R-2026-0815"), name="feder-0815-erneut.xml")  # a duplicate
    for number in ("R-2026-0600", "R-2026-0601"):
        r = rw.receive(invoice(number), name=f"{number}.xml")
        r = rechnung_sachlich_richtig(principal=as_(w.clerk), rechnung=r)
        r = rechnung_rechnerisch_richtig(principal=as_(rw.pruefer), rechnung=r)
        r = rechnung_anordnen(principal=as_(w.head), rechnung=r)
    zahlungslauf_create(
        principal=as_(rw.kasse),
        rechnungen=[r],
        ausfuehrungsdatum=timezone.localdate() + timedelta(days=1),
    )
    return booked


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_page_is_accessible(page: Page, scene: Booked, language: str) -> None:
    rejected = Rechnung.objects.get(status=RechnungStatus.ZURUECKGEWIESEN)
    sign_in(page, "kasse", PASSWORD)
    page.goto("/intern/rechnungen/")
    choose_language(page, language)
    assert page.locator("main tbody tr").count() == Rechnung.objects.count()
    assert_accessible(page, label=f"eingangsbuch {language}")
    page.goto("/intern/rechnungen/?klaerung=on&q=R-&sortierung=faellig")
    assert page.locator("main tbody tr").count() == 1
    assert_accessible(page, label=f"eingangsbuch gefiltert {language}")

    page.goto(f"/intern/rechnungen/{scene.with_attachment.pk}/")
    assert page.locator(".af-invoice").count() == 1
    assert_accessible(page, label=f"rechnung {language}")
    page.goto(f"/intern/rechnungen/{rejected.pk}/")
    assert page.locator("#freigabe tbody tr").count() == 1
    assert_accessible(page, label=f"zurueckgewiesen {language}")
    page.goto(f"/intern/rechnungen/{scene.klaerung.pk}/")
    page.click("#zuordnen summary")
    assert_accessible(page, label=f"klaerung {language}")

    page.goto("/intern/rechnungen/hochladen/")
    assert_accessible(page, label=f"upload {language}")
    page.set_input_files(
        "#id_dateien",
        [
            {"name": "gut.xml", "mimeType": "application/xml", "buffer": invoice("B-1")},
            {"name": "leer.xml", "mimeType": "application/xml", "buffer": b""},
        ],
    )
    assert submit(page, "main form.af-form button[type=submit]") == 200
    assert page.locator("#ergebnis tbody tr").count() == 2
    assert_accessible(page, label=f"upload ergebnis {language}")
    assert submit(page, "main form.af-form button[type=submit]") == 400  # no file
    assert_accessible(page, label=f"upload fehler {language}")

    page.goto("/intern/rechnungen/zahlungslaeufe/")
    assert page.locator("main form tbody tr").count() == 1
    assert_accessible(page, label=f"zahlungslaeufe {language}")
    with page.expect_navigation():
        page.click("main table >> nth=1 >> a")
    assert_accessible(page, label=f"zahlungslauf {language}")


def test_invoice_page_with_a_failed_rejection_is_accessible(page: Page, booked: Booked) -> None:
    sign_in(page, "clerk", PASSWORD)
    page.goto(f"/intern/rechnungen/{booked.fresh.pk}/")
    page.click("#zurueckweisen summary")
    assert submit(page, "#zurueckweisen button[type=submit]") == 400  # no reason
    assert page.is_visible("#zurueckweisen[open] #zurueckweisen-errors")
    assert_accessible(page, label="zurueckweisen fehler")


#: What the focused element is.
_FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute("name"),
    text: (el.innerText || "").trim(),
    ring: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2)
          || style.boxShadow !== "none",
  };
}"""


def test_the_approval_with_the_keyboard_alone(page: Page, booked: Booked) -> None:
    """Tab from the skip link to the remark, type it, Tab to the button, Enter decides."""
    r = booked.fresh
    sign_in(page, "clerk", PASSWORD)
    page.goto(f"/intern/rechnungen/{r.pk}/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the skip link: focus moves into the main content
    assert page.evaluate("document.activeElement.id") == "inhalt"
    for _step in range(60):
        page.keyboard.press("Tab")
        if page.evaluate(_FOCUSED)["name"] == "bestaetigen-bemerkung":
            break
    focused = page.evaluate(_FOCUSED)
    assert focused["name"] == "bestaetigen-bemerkung" and focused["ring"], focused
    page.keyboard.type("Ware vollständig geliefert")
    page.keyboard.press("Tab")
    button = page.evaluate(_FOCUSED)
    assert button["tag"] == "button" and button["ring"], button
    assert button["text"] == german("Confirm: %(step)s", step="sachlich richtig")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.is_visible(".kern-alert--success")
    step = r.schritte.get()
    assert (step.user, step.begruendung) == (booked.rw.w.clerk, "Ware vollständig geliefert")
