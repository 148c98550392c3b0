"""The suggestion on the intake page in headless Chromium: axe-core (WCAG 2.1 AA) with zero
violations with the correction form open, in German and English; accepting it with one click
files the Dokument into the suggested Akte."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from amtsfluss.akte.models import Dokument
from amtsfluss.posteingang.models import Vorschlag, VorschlagStatus
from tests.browser import assert_accessible, choose_language, sign_in
from tests.conftest import PASSWORD
from tests.posteingang.conftest import Post
from tests.posteingang.klassifikation_helpers import akte, aktenplan, receive_letter
from tests.posteingang.web import INBOX_URL, german

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["de", "en"])
def test_accepting_a_suggestion_is_one_accessible_click(
    page: Page, post: Post, language: str
) -> None:
    plan = aktenplan(post)
    target = akte(post.w.clerk, plan.positions["32.1"], "Gaststätte Zum Anker")
    eingang = receive_letter(post, f"Ihr Zeichen: {target.aktenzeichen}\nAntrag Sperrzeit")
    sign_in(page, "clerk", PASSWORD)
    page.goto(f"{INBOX_URL}?liste=abgelegt")
    choose_language(page, language)
    row = page.locator("main tbody tr")
    assert row.count() == 1 and target.aktenzeichen in row.inner_text()
    page.locator("details.af-vorschlag__korrektur summary").click()
    assert page.locator(f"#az-{eingang.pk}").input_value() == target.aktenzeichen
    assert_accessible(page, label=f"vorschlag {language}")
    accept = "Übernehmen" if language == "de" else "Accept"
    page.get_by_role("button", name=accept).click()
    page.wait_for_load_state()
    done = "“%(name)s” is filed in %(akte)s."
    if language == "de":
        done = german(done, name="brief.txt", akte=target.aktenzeichen)
    else:
        done = done % {"name": "brief.txt", "akte": target.aktenzeichen}
    assert done in page.locator("main").inner_text()
    dokument = Dokument.objects.select_related("vorgang").get(pk=eingang.dokument_id or 0)
    assert dokument.vorgang.akte_id == target.pk
    assert Vorschlag.objects.get(eingang=eingang).status == VorschlagStatus.ANGENOMMEN
    assert_accessible(page, label=f"after accepting {language}")
