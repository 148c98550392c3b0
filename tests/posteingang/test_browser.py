"""The Posteingang pages in headless Chromium: axe-core (WCAG 2.1 AA) with zero violations on
the intake page, the upload page and the result page, in German and English; the upload of two
files with JavaScript (drop zone, progress, status announcements, result), by dropping them,
with refused input answered in place, and without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import Browser, Page
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from amtsfluss.posteingang.models import EingangStatus, Sendung
from amtsfluss.posteingang.uploads import too_many_message
from tests.browser import assert_accessible, choose_language, sign_in
from tests.conftest import PASSWORD
from tests.posteingang import files
from tests.posteingang.conftest import Post
from tests.posteingang.web import INBOX_URL, UPLOAD_URL, german, scene

pytestmark = pytest.mark.browser

SENDUNG_PATH = "**/intern/posteingang/sendungen/*/"

#: Reports every change of the upload's status line (text, the progress bar's value and
#: whether it is shown) to the test, across the navigation that follows the upload.
_STATUS_WATCH = """
document.addEventListener("DOMContentLoaded", () => {
  const status = document.getElementById("upload-status");
  if (!status) return;
  new MutationObserver(() => {
    const bar = document.getElementById("upload-progress");
    window.reportStatus({
      text: status.textContent,
      value: bar ? bar.value : null,
      shown: bar ? !bar.closest("[data-progress]").hidden : false,
    });
  }).observe(status, { childList: true, characterData: true, subtree: true });
});
"""


def _pdf(name: str, text: str) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/pdf", "buffer": files.text_pdf(text)}


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_pages_are_accessible(page: Page, post: Post, language: str) -> None:
    s = scene(post)
    sign_in(page, "clerk", PASSWORD)
    page.goto(INBOX_URL)
    choose_language(page, language)
    assert page.locator("main tbody tr").count() == 1
    assert_accessible(page, label=f"eingaenge {language}")
    for liste, rows in (("in-arbeit", 1), ("klaerung", 2), ("abgelegt", 1)):
        page.goto(f"{INBOX_URL}?liste={liste}")
        assert page.locator("main tbody tr").count() == rows
        assert_accessible(page, label=f"eingaenge {liste} {language}")

    page.goto(f"/intern/posteingang/sendungen/{s.sendung.pk}/")
    assert page.locator("#eingaenge tbody tr").count() == 5
    assert_accessible(page, label=f"sendung {language}")

    page.goto(UPLOAD_URL)
    assert page.is_visible("[data-drop-hint]")  # the script enhanced the form
    assert_accessible(page, label=f"hochladen {language}")
    with page.expect_navigation() as navigation:
        page.click("main form.af-upload button[type=submit]")  # no file chosen
    assert navigation.value is not None and navigation.value.status == 400
    assert page.is_visible("#upload-errors")
    assert_accessible(page, label=f"hochladen fehler {language}")


def test_two_files_uploaded_with_javascript_show_progress_and_result(
    page: Page, post: Post
) -> None:
    statuses: list[dict[str, Any]] = []
    page.expose_binding("reportStatus", lambda _source, status: statuses.append(status))
    page.add_init_script(_STATUS_WATCH)
    sign_in(page, "clerk", PASSWORD)
    page.goto(UPLOAD_URL)
    page.fill("#id_betreff", "Antrag mit Anlage")
    page.set_input_files(
        "#id_dateien",
        [_pdf("antrag.pdf", "Antrag auf Sondernutzung"), _pdf("anlage.pdf", "Lageplan")],
    )
    chosen = page.locator("[data-chosen] li")
    assert chosen.all_inner_texts() == ["antrag.pdf", "anlage.pdf"]
    assert page.get_attribute("[data-chosen]", "aria-label") == german(
        "Files chosen: {count}"
    ).replace("{count}", "2")
    with page.expect_navigation(url=SENDUNG_PATH):
        page.click("main form.af-upload button[type=submit]")
    assert page.locator("#eingaenge tbody tr").count() == 2
    assert page.locator("#eingaenge tbody").inner_text().count(german("geprüft")) == 2
    sendung = Sendung.objects.get()
    assert sendung.betreff == "Antrag mit Anlage" and sendung.kanal == "upload"
    texts = [status["text"] for status in statuses]
    assert texts[0] == german("Uploading the files …")
    assert texts[-1] == german("Upload complete. The files are being checked …")
    assert statuses[-1]["value"] == 100 and statuses[-1]["shown"]
    assert_accessible(page, label="nach dem hochladen")


def test_files_dropped_onto_the_drop_zone_are_uploaded(page: Page, post: Post) -> None:
    sign_in(page, "clerk", PASSWORD)
    page.goto(UPLOAD_URL)
    page.evaluate(
        """(text) => {
          const zone = document.querySelector("[data-dropzone]");
          const transfer = new DataTransfer();
          transfer.items.add(new File([text], "notiz.txt", { type: "text/plain" }));
          const options = { dataTransfer: transfer, bubbles: true, cancelable: true };
          zone.dispatchEvent(new DragEvent("dragenter", options));
          zone.dispatchEvent(new DragEvent("drop", options));
        }""",
        "Bitte um Rückruf wegen des Bauantrags",
    )
    assert page.locator("[data-chosen] li").all_inner_texts() == ["notiz.txt"]
    assert page.eval_on_selector("#id_dateien", "input => input.files.length") == 1
    assert "af-dropzone--active" not in (page.get_attribute("[data-dropzone]", "class") or "")
    with page.expect_navigation(url=SENDUNG_PATH):
        page.click("main form.af-upload button[type=submit]")
    assert Sendung.objects.get().eingaenge.get().dateiname == "notiz.txt"


def test_a_refused_upload_is_answered_in_place(page: Page, post: Post, settings: Settings) -> None:
    settings.AMTSFLUSS_MAX_UPLOAD_FILES = 1  # the live server runs in this process
    sign_in(page, "clerk", PASSWORD)
    page.goto(UPLOAD_URL)
    page.set_input_files(
        "#id_dateien", [_pdf("eins.pdf", "Erstes Schreiben"), _pdf("zwei.pdf", "Zweites")]
    )
    page.click("main form.af-upload button[type=submit]")
    page.wait_for_selector("#upload-errors")
    assert page.url.endswith(UPLOAD_URL)
    with translation.override("de"):
        assert too_many_message(2) in page.inner_text("#upload-errors")
    assert page.evaluate("document.activeElement.id") == "upload-errors"
    assert page.is_visible("[data-drop-hint]")  # the new form is enhanced again
    assert not Sendung.objects.exists()
    assert_accessible(page, label="zu viele dateien")


def test_the_upload_works_without_javascript(
    browser: Browser, live_server: LiveServer, post: Post
) -> None:
    context = browser.new_context(
        base_url=live_server.url, locale="de-DE", java_script_enabled=False
    )
    try:
        page = context.new_page()
        sign_in(page, "clerk", PASSWORD)
        page.goto(UPLOAD_URL)
        assert page.is_hidden("[data-drop-hint]") and page.is_hidden("[data-progress]")
        page.set_input_files(
            "#id_dateien",
            [
                _pdf("antrag.pdf", "Antrag auf Sondernutzung"),
                {"name": "falsch.pdf", "mimeType": "text/plain", "buffer": b"kein PDF"},
            ],
        )
        with page.expect_navigation(url=SENDUNG_PATH):
            page.click("main form.af-upload button[type=submit]")
        rows = page.locator("#eingaenge tbody tr")
        assert rows.count() == 2
        assert german("abgewiesen") in rows.nth(1).inner_text()
        statuses = [e.status for e in Sendung.objects.get().eingaenge.order_by("position")]
        assert statuses == [EingangStatus.GEPRUEFT, EingangStatus.ABGEWIESEN]
    finally:
        context.close()
