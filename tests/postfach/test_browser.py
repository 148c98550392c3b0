"""axe-core in headless Chromium: the applicant's Postfach page (messages, download, the answer
form with its error summary, an answer with a file) and the clerk's Postfach page, at 1280 and
360 px."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page

from amtsfluss.core.models import Role
from amtsfluss.dienste.models import Leistung
from amtsfluss.dienste.selectors.antrag import antrag_by_token
from amtsfluss.postfach.models import Art, Nachricht, Richtung
from amtsfluss.postfach.services import nachricht_zustellen, rueckfrage_stellen
from tests.akte.conftest import as_
from tests.browser import assert_accessible, sign_in
from tests.conftest import PASSWORD, World, make_user
from tests.dienste.conftest import demo, katalog  # noqa: F401 (fixtures)
from tests.dienste.test_einreichung import filled, submit
from tests.posteingang import files
from tests.postfach.conftest import make_dokument

pytestmark = pytest.mark.browser


def no_sideways_scrolling(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, "the page scrolls sideways"


@pytest.mark.parametrize("width", [1280, 360])
def test_postfach_pages_are_accessible(
    page: Page,
    demo: dict[str, Leistung],  # noqa: F811 (fixture)
    world: World,
    width: int,
    tmp_path: Path,
) -> None:
    applicant = Client(HTTP_HOST="a.test")
    token = submit(applicant, filled(applicant))
    antrag = antrag_by_token(mandant=world.a, token=token)
    clerk = make_user(world.a, "standesamt", world.units["34"], Role.SACHBEARBEITUNG)
    rueckfrage_stellen(
        principal=as_(clerk), vorgang=antrag.vorgang, betreff="Geburtsort fehlt",
        text="Bitte nennen Sie den Geburtsort.", empfaenger_email=antrag.antragsteller_email,
        frist=timezone.localdate() + timedelta(days=7),
    )  # fmt: skip
    merkblatt = make_dokument(clerk, antrag.vorgang, "Merkblatt")
    nachricht_zustellen(
        principal=as_(clerk), vorgang=antrag.vorgang, art=Art.NACHRICHT, betreff="Hinweis",
        text="Anbei ein Merkblatt.", empfaenger_email=antrag.antragsteller_email,
        dokumente=[merkblatt],
    )  # fmt: skip
    page.set_viewport_size({"width": width, "height": 800})

    page.goto(f"/postfach/{token}/")
    assert page.locator(f"a[href='/postfach/{token}/dokumente/{merkblatt.pk}/']").count() == 1
    assert_accessible(page, label=f"postfach-{width}")
    no_sideways_scrolling(page)
    with page.expect_navigation():
        page.click("#postfach form button[type=submit]")
    assert page.locator("#antwort-errors").count() == 1
    assert_accessible(page, label=f"postfach-fehler-{width}")

    upload = tmp_path / "geburtsurkunde.pdf"
    upload.write_bytes(files.text_pdf("Geburtsurkunde", "Musterstadt"))
    page.fill("#id_antwort-text", "Geburtsort: Musterstadt")
    page.set_input_files("#id_antwort-dateien", str(upload))
    with page.expect_navigation():
        page.click("#postfach form button[type=submit]")
    assert page.url.endswith(f"/dienste/status/{token}/#postfach")
    assert page.locator("text=geburtsurkunde.pdf").count() == 1
    assert_accessible(page, label=f"postfach-gesendet-{width}")
    antwort = Nachricht.objects.get(richtung=Richtung.VON_ANTRAGSTELLER)
    assert antwort.text == "Geburtsort: Musterstadt"

    sign_in(page, clerk.username, PASSWORD)
    page.goto("/intern/postfach/")
    assert page.locator(f"a[href='/intern/postfach/vorgaenge/{antrag.vorgang_id}/']").count() == 1
    assert_accessible(page, label=f"ungelesen-{width}")
    page.goto(f"/intern/postfach/vorgaenge/{antrag.vorgang_id}/")
    assert page.locator(".kern-badge--warning").count() == 1
    assert_accessible(page, label=f"vorgang-postfach-{width}")
    no_sideways_scrolling(page)
