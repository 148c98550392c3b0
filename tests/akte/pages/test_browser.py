"""The E-Akte pages in headless Chromium: axe-core (WCAG 2.1 AA) with zero violations on every
page and form state, the PDF shown in the page, and the inbox used with the keyboard alone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Frame, Page

from amtsfluss.akte.models import Akte
from amtsfluss.akte.services.vorgang import vorgang_create
from tests.akte.conftest import AkteWorld, as_
from tests.akte.pages.conftest import Case, fill, german
from tests.browser import assert_accessible, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _wait_for_frame(page: Page, prefix: str) -> Frame | None:
    for _attempt in range(50):
        for frame in page.frames:
            if frame.url.startswith(prefix):
                return frame
        page.wait_for_timeout(100)
    return None


def submit(page: Page, selector: str) -> int:
    with page.expect_navigation() as navigation:
        page.click(selector)
    response = navigation.value
    assert response is not None
    return response.status


@pytest.fixture
def busy(akten: AkteWorld) -> Case:
    """The clerk's Akte with its case, a second Vorgang for the unit and another Akte's case."""
    case = fill(akten, akten.offen_32_1)
    vorgang_create(principal=as_(akten.w.clerk), akte=akten.offen_32_1, betreff="Ummeldung Filiale")
    fill(akten, akten.vertr_32_1, tag="Spielhalle")
    return case


def test_posteingang_aktenplan_and_akten(page: Page, akten: AkteWorld, busy: Case) -> None:
    sign_in(page, "clerk", PASSWORD)
    page.goto("/intern/posteingang/")
    assert page.locator("main tbody tr").count() == 3
    assert page.locator(".af-due").count() == 2
    assert_accessible(page, label="posteingang")

    page.goto("/intern/aktenplan/")
    page.click("summary")  # open the first group
    assert page.is_visible("text=Gewerbeanzeigen")
    assert_accessible(page, label="aktenplan")

    page.goto("/intern/akten/?q=32.1")
    assert page.locator("main tbody tr").count() == 3
    assert_accessible(page, label="akten")


def test_new_akte_form_with_its_errors(page: Page, akten: AkteWorld) -> None:
    leaf = akten.positions["10.38.50"]
    sign_in(page, "clerk", PASSWORD)
    page.goto(f"/intern/aktenplan/{leaf.pk}/neue-akte/")
    assert_accessible(page, label="neue akte")
    page.select_option("#id_federfuehrende_oe", label="32.1 Einheit 32.1")
    assert submit(page, "main form.af-form button[type=submit]") == 400  # no title
    assert page.is_visible("#form-errors")
    assert page.get_attribute("#id_titel", "aria-invalid") == "true"
    assert_accessible(page, label="neue akte mit fehler")
    page.fill("#id_titel", "Imbiss Sonnenschein, Hauptstraße 5")
    assert submit(page, "main form.af-form button[type=submit]") == 200
    akte = Akte.objects.get(titel="Imbiss Sonnenschein, Hauptstraße 5")
    assert page.url.endswith(f"/intern/akten/{akte.pk}/")
    assert page.inner_text("h1") == akte.aktenzeichen


def test_akte_and_vorgang_pages(page: Page, akten: AkteWorld, busy: Case) -> None:
    sign_in(page, "clerk", PASSWORD)
    page.goto(f"/intern/akten/{busy.akte.pk}/")
    assert page.locator("#vorgaenge-heading + .kern-table-responsive tbody tr").count() == 2
    assert_accessible(page, label="akte")

    # an action form is fetched when its disclosure opens (htmx), and it works at once
    assert page.locator("#neuer-vorgang form").count() == 0
    page.click("#neuer-vorgang summary")
    page.wait_for_selector("#neuer-vorgang form input[name=vorgang-betreff]")
    assert page.locator("#neuer-vorgang .af-action-body").count() == 1
    assert_accessible(page, label="akte mit formular")
    page.fill("#neuer-vorgang input[name=vorgang-betreff]", "Abmeldung")
    assert submit(page, "#neuer-vorgang button[type=submit]") == 200
    assert page.is_visible("text=Abmeldung")
    page.goto(f"/intern/akten/{busy.akte.pk}/")

    with page.expect_response(lambda r: r.url.endswith(f"/{busy.pdf.pk}/ansicht")) as shown:
        page.goto(f"/intern/vorgaenge/{busy.vorgang.pk}/")
    assert shown.value.status == 200
    # Chromium hands the sandboxed, framed PDF to its viewer: it is shown, not blocked
    page.wait_for_function(
        "() => document.querySelector('iframe.af-pdf').getBoundingClientRect().height > 300"
    )
    viewer = _wait_for_frame(page, "chrome-extension://")
    assert viewer is not None, [frame.url for frame in page.frames]
    assert not any(frame.url.startswith("chrome-error://") for frame in page.frames)
    assert_accessible(page, label="vorgang")

    # an upload form with an error: open the disclosure, send nothing
    page.click("#neues-dokument summary")
    assert submit(page, "#neues-dokument button[type=submit]") == 400
    assert page.is_visible("#neues-dokument[open] #neues-dokument-errors")
    assert_accessible(page, label="vorgang mit fehler")


#: What the focused element is, and whether its focus can be seen (an outline or a shadow).
_FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(),
    href: el.getAttribute("href"),
    text: (el.getAttribute("aria-label") || el.innerText || "").trim(),
    visible: box.width > 0 && box.height > 0,
    ring: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2)
          || style.boxShadow !== "none",
  };
}"""

#: Everything in the main content one can reach with Tab, in document order.
_REACHABLE = """() => [...document.querySelectorAll(
  "main a[href], main button, main input, main select, main summary"
)].filter(el => el.offsetParent !== null && el.tabIndex >= 0).map(el => ({
  tag: el.tagName.toLowerCase(), href: el.getAttribute("href"),
  text: (el.getAttribute("aria-label") || el.innerText || "").trim(),
}))"""


def test_inbox_with_the_keyboard_alone(page: Page, akten: AkteWorld, busy: Case) -> None:
    """Skip link, then every control of the inbox in reading order with a visible focus ring;
    Enter opens a Vorgang, and a Wiedervorlage is marked done without a mouse."""
    sign_in(page, "clerk", PASSWORD)
    page.goto("/intern/posteingang/")
    page.keyboard.press("Tab")
    first = page.evaluate(_FOCUSED)
    assert (first["href"], first["visible"]) == ("#inhalt", True)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhalt"

    expected = page.evaluate(_REACHABLE)
    walked = []
    for _step in expected:
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED)
        assert focused["visible"] and focused["ring"], focused
        walked.append({key: focused[key] for key in ("tag", "href", "text")})
    assert walked == expected  # the tab order is the reading order, nothing is skipped
    texts = [step["text"] for step in walked]
    all_tab = f"{german('All')} (3)"
    assert texts.index(busy.vorgang.betreff) > texts.index(all_tab)  # the tabs come first

    # back to the first Vorgang of the table, by keyboard, and open it with Enter
    target = f"/intern/vorgaenge/{busy.vorgang.pk}/"
    page.keyboard.press("Shift+Tab")
    while page.evaluate(_FOCUSED)["href"] != target:
        page.keyboard.press("Shift+Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(target)
    assert page.inner_text("h1") == busy.vorgang.betreff

    # a Wiedervorlage marked done with the keyboard
    page.go_back()
    done_button = german("Mark as done: %(note)s", note=busy.wiedervorlage.notiz)
    page.keyboard.press("Tab")
    while page.evaluate(_FOCUSED)["text"] != done_button:
        page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.is_visible(".kern-alert--success")
    assert page.locator(".af-due").count() == 1
