"""Browser tests: headless Chromium through Playwright, Django's live server, and axe-core.

A pytest plugin (``pytest_plugins = ["tests.browser"]`` in ``tests/conftest.py``) so that every
module's tests can use it:

* ``browser`` — one headless Chromium (``/usr/bin/chromium``) for the whole session. A missing
  Chromium fails the tests loudly; it is never a skip.
* ``page`` — a fresh browser context (own cookies, German ``Accept-Language``) with its
  ``base_url`` set to pytest-django's ``live_server``, so ``page.goto("/anmelden/")`` works.
  The live server listens on ``localhost``: the Mandant under test must own that host name or
  be the default Mandant (as Mandant A of the ``world`` fixture is).
* ``assert_accessible(page)`` — runs axe-core (WCAG 2.0/2.1, levels A and AA) on the current
  document and fails with a readable list of violations; it also fails on anything the
  Content-Security-Policy blocked on the page (a blocked stylesheet or script is a broken page).
* ``sign_in(page, username, password)`` and ``choose_language(page, code)`` drive the real forms.

``AMTSFLUSS_SCREENSHOTS=/some/dir`` makes ``assert_accessible`` also save a full-page screenshot
of every page it checks, named after the test — for looking at the pages.

Mark browser tests with ``@pytest.mark.browser``. They use ``live_server`` and therefore a
transactional database (pytest-django arranges that when ``live_server`` is requested).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from pytest_django.live_server_helper import LiveServer

REPO_DIR = Path(__file__).parents[1]
AXE_SCRIPT = REPO_DIR / "node_modules/axe-core/axe.min.js"
CHROMIUM = Path(os.environ.get("AMTSFLUSS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

#: Runs before any script of a page (and is not subject to its CSP): records what the
#: Content-Security-Policy blocked, for ``assert_accessible``.
_CSP_RECORDER = """
window.__amtsflussCspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__amtsflussCspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "(unknown)"}`
  );
});
"""


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Browser tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium; "
            "or set AMTSFLUSS_CHROMIUM). They are not skipped.",
            pytrace=False,
        )
    # Playwright's sync API keeps an asyncio loop registered on this thread, which makes
    # Django refuse ORM calls from the test body ("async context"). Test code runs strictly
    # in sequence here, so the check is switched off for the life of the browser only.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield chromium
            chromium.close()


def new_context(browser: Browser, live_server: LiveServer) -> BrowserContext:
    """A browser window of its own (own cookies) on the live server, German, Berlin time."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="de-DE",
        timezone_id="Europe/Berlin",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = new_context(browser, live_server)
    context.add_init_script(_CSP_RECORDER)
    browser_page = context.new_page()
    yield browser_page
    context.close()


def _axe_source() -> str:
    if not AXE_SCRIPT.is_file():
        pytest.fail(
            f"axe-core is missing at {AXE_SCRIPT}: run `npm ci` in {REPO_DIR}.", pytrace=False
        )
    return AXE_SCRIPT.read_text(encoding="utf-8")


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} [{violation.get('impact') or 'n/a'}] {violation['help']}"
            f" ({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            target = " ".join(json.dumps(part) for part in node["target"])
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    at {target}: {summary}")
            lines.append(f"       {node['html'][:200]}")
    return "\n".join(lines)


def assert_accessible(page: Page, *, label: str = "") -> None:
    """No axe-core WCAG 2.1 A/AA violation and nothing blocked by the CSP on the current page."""
    where = f"{page.url}{f' ({label})' if label else ''}"
    blocked = page.evaluate("window.__amtsflussCspViolations")
    if blocked is None:
        pytest.fail(f"{where}: page was not opened through the `page` fixture", pytrace=False)
    # evaluate() runs through the DevTools protocol, which the page's CSP does not govern.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    result = page.evaluate(
        "options => axe.run(document, options)",
        {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    _screenshot(page, label)
    problems = []
    if result["violations"]:
        problems.append(
            f"axe-core found {len(result['violations'])} WCAG 2.1 AA violation(s):\n"
            + _describe(result["violations"])
        )
    if blocked:
        problems.append("Content-Security-Policy blocked:\n" + "\n".join(f"- {b}" for b in blocked))
    if problems:
        pytest.fail(f"{where}\n" + "\n".join(problems), pytrace=False)


def _screenshot(page: Page, label: str) -> None:
    directory = os.environ.get("AMTSFLUSS_SCREENSHOTS")
    if not directory:
        return
    test = os.environ.get("PYTEST_CURRENT_TEST", "page").split(" ")[0]
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{test}-{label or page.url}")[-150:]
    Path(directory).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(directory) / f"{name}.png"), full_page=True)


def sign_in(page: Page, username: str, password: str) -> None:
    """Sign in through the real login form; the page ends where the login redirects to."""
    page.goto("/anmelden/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def choose_language(page: Page, code: str) -> None:
    """Switch the language with the footer's form (a no-op if it is already ``code``)."""
    if page.get_attribute("html", "lang") == code:
        return
    with page.expect_navigation():
        page.click(f"footer button[name=language][value={code}]")
    current = page.get_attribute("html", "lang")
    assert current == code, f"language switch to {code} failed: page is {current}"
