"""The proof-of-work script in Chromium when no Worker can be started: it solves the challenge
on the page itself (the same solver, loaded as a script) and the form goes through. The Worker
path is driven by tests/konto/test_browser.py."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings

from tests.browser import assert_accessible
from tests.conftest import World

pytestmark = pytest.mark.browser


def test_without_worker_the_page_solves_it_itself(
    page: Page, world: World, settings: Settings
) -> None:
    settings.AMTSFLUSS_POW_DIFFICULTY = 10
    page.add_init_script("delete window.Worker;")
    page.goto("/konto/passwort/")
    assert page.evaluate("typeof window.Worker") == "undefined"
    expect(page.locator("[data-pow-status]")).to_have_text("Sicherheitsprüfung abgeschlossen.")
    assert page.evaluate("typeof window.amtsflussPowSolve") == "function"
    assert_accessible(page, label="ohne-worker")
    page.fill("#id_email", "erika@example.org")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url.endswith("/konto/passwort/gesendet/")
