"""axe-core in headless Chromium: the catalogue and a form step (with its error summary), at
desktop width and at 360 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from amtsfluss.dienste.models import Leistung
from tests.browser import assert_accessible
from tests.dienste.conftest import GEWERBE, URKUNDE

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
