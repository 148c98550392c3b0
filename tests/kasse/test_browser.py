"""axe-core in headless Chromium: the payment page (desktop and 360 px), paying online through
the simulated provider with the keyboard-reachable buttons, and the Kasse's pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from amtsfluss.kasse.models import Zustand
from tests.browser import assert_accessible, sign_in
from tests.conftest import PASSWORD
from tests.kasse.conftest import KasseWorld, Sim

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 360])
def test_payment_page_is_accessible_and_pays_online(
    page: Page,
    kw: KasseWorld,
    sim: Sim,
    width: int,
) -> None:
    forderung, token = kw.forderung("12.50", zweck="Geburtsurkunde, 2 Stück")
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"/zahlung/{token}/")
    assert page.locator("#kassenzeichen").inner_text() == forderung.kassenzeichen
    assert page.get_by_role("img", name="GiroCode zur Zahlung von 12,50 Euro").count() == 1
    assert_accessible(page, label=f"zahlung-{width}")
    if width == 360:
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, "the page scrolls sideways at 360 px"
    with page.expect_navigation():
        page.get_by_role("button", name="Online bezahlen").click()
    assert page.url.startswith(sim.url + "/zahlen/")
    with page.expect_navigation(url=f"**/zahlung/{token}/"):
        page.get_by_role("button", name="Bezahlen").click()
    assert "Vielen Dank: Die Gebühr ist bezahlt." in page.content()
    assert page.locator("#zustand").inner_text().startswith("bezahlt")
    assert_accessible(page, label=f"zahlung-bezahlt-{width}")
    forderung.refresh_from_db()
    assert forderung.zustand == Zustand.BEZAHLT


def test_kasse_pages_are_accessible(page: Page, kw: KasseWorld) -> None:
    forderung, _ = kw.forderung("7.00", vorgang=kw.vorgang_32_1)
    sign_in(page, "kasse", PASSWORD)
    page.goto("/intern/kasse/")
    assert page.get_by_role("link", name=forderung.kassenzeichen).count() == 1
    assert_accessible(page, label="kasse-liste")
    page.goto(f"/intern/kasse/{forderung.pk}/")
    assert_accessible(page, label="kasse-forderung")
    with page.expect_navigation():
        page.get_by_role("button", name="Als bezahlt buchen").click()
    assert page.locator("#zustand").inner_text() == "bezahlt"
    assert_accessible(page, label="kasse-forderung-bezahlt")
    page.goto("/intern/kasse/kontoauszug/")
    assert_accessible(page, label="kasse-kontoauszug")
