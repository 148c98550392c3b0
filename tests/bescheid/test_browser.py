"""The Bescheid pages in headless Chromium: axe-core (WCAG 2.1 AA) with zero violations on
every page and form state, drafting with the keyboard, and signing as the Amtsleitung."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from amtsfluss.bescheid.models import Bescheid, BescheidStatus
from amtsfluss.bescheid.services.bescheid import bescheid_create, bescheid_request_signature
from tests.bescheid.conftest import BescheidWorld, as_
from tests.browser import assert_accessible, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_clerk_drafts_with_the_keyboard(page: Page, bw: BescheidWorld) -> None:
    sign_in(page, "clerk", PASSWORD)
    page.goto(f"/intern/bescheide/vorgang/{bw.vorgang.pk}/")
    assert_accessible(page, label="vorgang")
    page.focus("#id_leistung")
    with page.expect_navigation():
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
    bescheid = Bescheid.objects.get(vorgang=bw.vorgang)
    assert page.url.endswith(f"/intern/bescheide/{bescheid.pk}/")
    assert_accessible(page, label="entwurf")

    page.fill("#id_titel", "")
    with page.expect_navigation():
        page.click("#bearbeiten button[type=submit]")
    assert page.locator(".kern-alert--danger").count() == 1
    assert_accessible(page, label="entwurf mit Fehler")


def test_amtsleitung_finds_and_signs(page: Page, bw: BescheidWorld) -> None:
    bescheid = bescheid_create(principal=as_(bw.w.clerk), vorgang=bw.vorgang, leistung=bw.gewerbe)
    bescheid_request_signature(principal=as_(bw.w.clerk), bescheid=bescheid, signer=bw.w.head)
    sign_in(page, "head", PASSWORD)
    page.goto("/intern/bescheide/zur-schlusszeichnung/")
    assert page.locator("main tbody tr").count() == 1
    assert_accessible(page, label="liste")
    with page.expect_navigation():
        page.click("main tbody a")
    assert_accessible(page, label="zur schlusszeichnung")
    with page.expect_navigation():
        page.click("text=Bescheid zeichnen")
    assert Bescheid.objects.get(pk=bescheid.pk).status == BescheidStatus.ZUGESTELLT
    assert page.is_visible("text=Gezeichneten Bescheid herunterladen (PDF)")
    assert_accessible(page, label="gezeichnet")
