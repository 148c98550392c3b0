"""The account pages in headless Chromium: axe-core at desktop width and at 360 px, and the
proof of work solved by the page's own JavaScript (Web Crypto in a Worker)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings

from amtsfluss.konto.models import Buerger
from amtsfluss.konto.tokens import verify_token
from tests.browser import assert_accessible
from tests.conftest import World
from tests.konto.conftest import CITIZEN_PASSWORD, make_buerger

pytestmark = pytest.mark.browser


def _no_sideways_scrolling(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, f"{page.url} scrolls sideways"


@pytest.mark.parametrize("width", [1280, 360])
def test_account_pages_are_accessible(page: Page, world: World, width: int) -> None:
    make_buerger(world.a, "erika@example.org")
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/konto/registrieren/")
    expect(page.locator("[data-pow-status]")).to_have_text("Sicherheitsprüfung abgeschlossen.")
    assert_accessible(page, label=f"registrieren-{width}")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator(".kern-alert--danger a[href='#id_email']").count() == 1
    assert_accessible(page, label=f"registrieren-fehler-{width}")
    unconfirmed = make_buerger(world.a, "max@example.org", verified=False)
    confirm = f"/konto/bestaetigen/{verify_token(unconfirmed)}/"
    for url in ("/konto/anmelden/", "/konto/passwort/", confirm):
        page.goto(url)
        assert_accessible(page, label=f"{url[:20]}-{width}")
        if width == 360:
            _no_sideways_scrolling(page)
    page.goto("/konto/anmelden/")
    page.fill("#id_email", "erika@example.org")
    page.fill("#id_password", CITIZEN_PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url.endswith("/konto/")
    page.fill("#id_plz", "123")
    with page.expect_navigation():
        page.click("main form.af-form button[type=submit]")
    assert_accessible(page, label=f"profil-fehler-{width}")
    if width == 360:
        _no_sideways_scrolling(page)


def test_the_page_solves_the_proof_of_work(page: Page, world: World, settings: Settings) -> None:
    settings.AMTSFLUSS_POW_DIFFICULTY = 12
    page.goto("/konto/registrieren/")
    status = page.locator("[data-pow-status]")
    expect(status).to_have_attribute("role", "status")
    page.fill("#id_email", "erika@example.org")
    page.fill("#id_password", CITIZEN_PASSWORD)
    page.fill("#id_password2", CITIZEN_PASSWORD)
    expect(status).to_have_text("Sicherheitsprüfung abgeschlossen.")
    assert page.input_value("input[data-pow-nonce]") != ""
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url.endswith("/konto/registrieren/gesendet/")
    assert Buerger.objects.filter(email="erika@example.org").exists()


def test_sending_before_the_work_is_done_waits_for_it(
    page: Page, world: World, settings: Settings
) -> None:
    settings.AMTSFLUSS_POW_DIFFICULTY = 15
    page.goto("/konto/passwort/")
    page.fill("#id_email", "erika@example.org")
    with page.expect_navigation():
        page.click("main form button[type=submit]")  # at once: the script holds the form back
    assert page.url.endswith("/konto/passwort/gesendet/"), page.content()[:2000]
