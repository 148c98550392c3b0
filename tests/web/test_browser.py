"""The pages in headless Chromium: axe-core (WCAG 2.1 AA) on every page, German and English,
keyboard access, and the static assets that make KERN's look."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.oath import totp
from playwright.sync_api import Page
from pytest_django.fixtures import Settings

from amtsfluss.core.models import Vertretung
from tests.browser import assert_accessible, choose_language, sign_in
from tests.conftest import PASSWORD, World

pytestmark = pytest.mark.browser

#: Visible text that proves the page speaks the chosen language.
SIGN_IN = {"de": "Anmelden", "en": "Sign in"}
WELCOME = {"de": "Willkommen, clerk", "en": "Welcome, clerk"}


@pytest.fixture(params=["de", "en"])
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def open_in(page: Page, path: str, language: str) -> None:
    page.goto(path)
    choose_language(page, language)
    assert page.get_attribute("html", "lang") == language


def submit(page: Page, selector: str = "main form.af-form button[type=submit]") -> int:
    with page.expect_navigation() as navigation:
        page.click(selector)
    response = navigation.value
    assert response is not None
    return response.status


def test_public_start_page(page: Page, world: World, language: str) -> None:
    open_in(page, "/", language)
    assert "Stadt A" in page.inner_text("h1")
    assert_accessible(page, label=f"start page {language}")


def test_login_page_and_its_error(page: Page, world: World, language: str) -> None:
    open_in(page, "/anmelden/", language)
    assert page.inner_text("h1") == SIGN_IN[language]
    assert_accessible(page, label=f"login {language}")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "wrong password")
    assert submit(page) == 400
    assert page.is_visible("#login-error")
    assert page.get_attribute("#id_password", "aria-describedby") == "login-error"
    assert_accessible(page, label=f"login error {language}")
    page.fill("#id_username", "")
    assert submit(page) == 400
    assert page.is_visible("#id_username_error")
    assert_accessible(page, label=f"login field errors {language}")


def test_staff_start_page_after_signing_in_through_the_form(
    page: Page, world: World, language: str
) -> None:
    now = timezone.now()
    Vertretung.objects.create(
        mandant=world.a,
        vertretene_person=world.head,
        vertretung=world.clerk,
        valid_from=now - timedelta(hours=1),
        valid_until=now + timedelta(days=3),
        created_by=world.head,
    )
    open_in(page, "/", language)
    sign_in(page, "clerk", PASSWORD)
    assert page.url.endswith("/intern/")
    assert page.inner_text("h1") == WELCOME[language]
    assert "32.1" in page.inner_text("main")
    assert_accessible(page, label=f"staff home {language}")


def test_mfa_enrolment(page: Page, world: World, language: str, settings: Settings) -> None:
    settings.AMTSFLUSS_REQUIRE_MFA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    open_in(page, "/", language)
    sign_in(page, "clerk", PASSWORD)
    page.goto("/intern/")
    assert "/anmelden/mfa/" in page.url
    assert page.is_visible("svg.af-qr")
    assert_accessible(page, label=f"mfa enrolment {language}")

    page.fill("#id_token", "12")
    assert submit(page) == 400
    assert_accessible(page, label=f"mfa enrolment error {language}")

    secret = page.inner_text("code.af-secret").replace(" ", "")
    key = base64.b32decode(secret)
    page.fill("#id_token", f"{totp(key):06d}")
    assert submit(page) == 200  # redirected to the staff start page
    assert page.url.endswith("/intern/")
    assert page.is_visible(".kern-alert--success")
    assert_accessible(page, label=f"staff home after mfa {language}")


def test_vertretungen_page(page: Page, world: World, language: str) -> None:
    now = timezone.now()
    for person, deputy, start in [
        (world.clerk, world.other_clerk, now - timedelta(days=1)),
        (world.other_clerk, world.clerk, now + timedelta(days=10)),
        (world.clerk, world.other_clerk, now - timedelta(days=30)),
    ]:
        Vertretung.objects.create(
            mandant=world.a,
            vertretene_person=person,
            vertretung=deputy,
            valid_from=start,
            valid_until=start + timedelta(days=5),
            reason="Urlaub",
            created_by=world.head,
        )
    open_in(page, "/", language)
    sign_in(page, "head", PASSWORD)
    page.goto("/intern/vertretungen/")
    assert page.locator("tbody tr").count() == 3
    assert_accessible(page, label=f"vertretungen {language}")

    assert submit(page) == 400  # nothing chosen, no dates
    assert page.is_visible("#form-errors")
    assert_accessible(page, label=f"vertretungen form errors {language}")

    start = timezone.localtime() + timedelta(days=2)
    page.select_option("#id_vertretene_person", label="clerk")
    page.select_option("#id_vertretung", label="other_clerk")
    page.fill("#id_valid_from", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_valid_until", (start + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"))
    assert submit(page) == 200
    assert page.locator("tbody tr").count() == 4
    assert page.is_visible(".kern-alert--success")

    in_force = "tbody tr:has(.kern-badge--success)"
    assert page.locator(in_force).count() == 1
    submit(page, f"{in_force} form button")
    assert page.locator(in_force).count() == 0
    assert Vertretung.objects.filter(valid_until__lte=timezone.now()).count() == 2
    assert_accessible(page, label=f"vertretungen after ending one {language}")


def test_platform_mandanten(page: Page, world: World, language: str) -> None:
    open_in(page, "/", language)
    sign_in(page, "operator", PASSWORD)
    assert page.url.endswith("/plattform/")
    assert page.locator("tbody tr").count() == 2
    assert_accessible(page, label=f"platform list {language}")
    page.click("main a.kern-btn--primary")
    page.wait_for_url("**/plattform/mandanten/neu/")
    page.fill("#id_name", "Gemeinde C")
    page.fill("#id_slug", "a")  # taken
    page.fill("#id_hosts", "c.test")
    assert submit(page) == 400
    assert_accessible(page, label=f"platform create error {language}")
    page.fill("#id_slug", "c")
    assert submit(page) == 200
    assert page.locator("tbody tr").count() == 3


def test_the_harness_reports_violations_and_csp_blocks(page: Page, world: World) -> None:
    """assert_accessible is only worth something if it fails on a broken page."""
    page.goto("/")
    page.evaluate(
        """() => {
            document.querySelector("main").insertAdjacentHTML("beforeend", '<img src="/x.png">');
            const script = document.createElement("script");
            script.textContent = "window.inlineRan = true";
            document.body.append(script);
        }"""
    )
    page.wait_for_function("window.__amtsflussCspViolations.length > 0")
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_accessible(page, label="broken on purpose")
    message = str(failure.value)
    assert "image-alt [critical]" in message and '"img"' in message
    assert "script-src-elem blocked inline" in message
    assert page.evaluate("window.inlineRan") is None


def test_not_found_page(page: Page, world: World) -> None:
    response = page.goto("/gibt-es-nicht/")
    assert response is not None and response.status == 404
    assert_accessible(page, label="404")


def test_tab_reaches_the_skip_link_first_and_it_moves_focus_to_main(
    page: Page, world: World
) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({cls: document.activeElement.className,"
        " href: document.activeElement.getAttribute('href')})"
    )
    assert focused == {"cls": "kern-link af-skip-link", "href": "#inhalt"}
    box = page.locator("a.af-skip-link").bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] > 0  # visible when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhalt"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_static_assets_load_and_kern_styles_apply(page: Page, world: World) -> None:
    statuses: dict[str, int] = {}
    page.on("response", lambda r: statuses.__setitem__(r.url.split("/static/")[-1], r.status))
    page.goto("/")
    page.wait_for_load_state("networkidle")
    for asset in (
        "kern/kern.min.css",
        "kern/fonts/fira-sans.css",
        "web/amtsfluss.css",
        "htmx/htmx.min.js",
    ):
        assert statuses.get(asset) == 200, (asset, statuses)
    assert page.evaluate("typeof window.htmx") == "object"  # the nonce'd script ran
    assert page.evaluate("document.fonts.check('16px \"Fira Sans\"')")
    font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "Fira Sans" in font
    button = page.evaluate(
        "getComputedStyle(document.querySelector('a.kern-btn')).borderTopLeftRadius"
    )
    assert button not in ("", "0px")  # KERN's button shape, not the browser default link
    assert_accessible(page, label="start page assets")
