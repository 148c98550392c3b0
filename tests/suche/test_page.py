"""The search page (``/intern/suche/``), in German as staff see it: only what one may see,
facets that narrow, hostile query strings answered with a message, and axe in Chromium."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from playwright.sync_api import Page

from tests.browser import assert_accessible, sign_in
from tests.conftest import PASSWORD, client_for
from tests.suche.conftest import Corpus

pytestmark = pytest.mark.django_db

A_HOST, B_HOST = "a.test", "b.test"
URL = "/intern/suche/"
TITLES = (
    "Eingang Bauanträge Musterstraße",
    "Personalsache",
    "Geheimsache",
    "Verkehrszeichen",
    "Gebäude in B",
)


def _text(client: Client, **params: object) -> str:
    response = client.get(URL, params)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


def _titles(page: str) -> set[str]:
    return {title for title in TITLES if title in page}


def test_each_clerk_finds_only_what_they_may_see(corpus: Corpus) -> None:
    w = corpus.akten.w
    assert _titles(_text(client_for(w.other_clerk, A_HOST), q="Gebäude")) == {"Verkehrszeichen"}
    assert _titles(_text(client_for(w.b_clerk, B_HOST), q="Gebäude")) == {"Gebäude in B"}
    clerk_page = _text(client_for(w.clerk, A_HOST), q="Gebäude")
    assert "Eingang Bauanträge Musterstraße" in clerk_page
    assert "Verkehrszeichen" not in clerk_page and "Gebäude in B" not in clerk_page
    assert f'href="/intern/vorgaenge/{corpus.bauantrag.vorgang_id}/"' in clerk_page
    assert "<mark>" in clerk_page


def test_other_mandant_and_anonymous_get_nothing(corpus: Corpus) -> None:
    w = corpus.akten.w
    clerk = client_for(w.clerk, A_HOST)
    elsewhere = clerk.get(URL, {"q": "Gebäude"}, HTTP_HOST=B_HOST)
    assert elsewhere.status_code in (302, 404)
    assert "Gebäude in B" not in elsewhere.content.decode()
    anonymous = Client(HTTP_HOST=A_HOST).get(URL, {"q": "Gebäude"})
    assert anonymous.status_code == 302 and "/anmelden/" in anonymous["Location"]


def test_facets_count_and_narrow(corpus: Corpus) -> None:
    clerk = client_for(corpus.akten.w.clerk, A_HOST)
    page = _text(clerk, q="Gebäude")
    assert "Schreiben" in page and "Antrag" in page  # Dokumenttyp facet labels
    links = re.findall(r'href="(\?[^"]*typ=antrag[^"]*)"', page)
    assert links, "a Dokumenttyp facet links to the narrowed search"
    narrowed = _text(clerk, **_params(links[0]))
    assert "Eingang Bauanträge Musterstraße" in narrowed
    assert "Personalsache" not in narrowed and "Geheimsache" not in narrowed
    year = re.findall(r'href="(\?[^"]*von=2025-01-01[^"]*)"', page)
    assert year and "bis=2025-12-31" in year[0].replace("&amp;", "&")
    in_2025 = _text(clerk, **_params(year[0]))
    assert "Eingang Bauanträge Musterstraße" in in_2025 and "Geheimsache" not in in_2025


def _params(link: str) -> dict[str, list[str]]:
    from django.http import QueryDict

    query = QueryDict(link.lstrip("?").replace("&amp;", "&"))
    return {key: query.getlist(key) for key in query}


def test_hostile_query_strings_get_a_message_not_an_error(corpus: Corpus) -> None:
    w = corpus.akten.w
    clerk = client_for(w.clerk, A_HOST)
    too_long = _text(clerk, q="x" * 10_000)
    assert 'aria-invalid="true"' in too_long and "Dokumente gefunden" not in too_long
    many = _text(clerk, q=" ".join(["Wort"] * 40))
    assert 'role="alert"' in many and "zu viele Wörter" in many
    assert 'aria-invalid="true"' in _text(clerk, q="Antrag", von="2026-02-01", bis="2026-01-01")
    assert 'aria-invalid="true"' in _text(clerk, q="Antrag", von="gestern")
    assert 'aria-invalid="true"' in _text(clerk, q="Antrag", reihenfolge="; DROP TABLE")
    b_unit = w.b_units["32"].pk  # another Mandant's unit is no choice here
    assert 'aria-invalid="true"' in _text(clerk, q="Antrag", oe=b_unit)
    assert "Eingang Bauanträge" in _text(clerk, q="Bauan*", seite="-3")
    script = _text(clerk, q="Sperrung")
    assert "<script>alert(1)</script>" not in script and "&lt;script&gt;" in script


def test_empty_search_shows_only_the_form(corpus: Corpus) -> None:
    page = _text(client_for(corpus.akten.w.clerk, A_HOST))
    assert 'name="q"' in page and "gefunden" not in page


@pytest.mark.browser
def test_search_page_is_accessible(page: Page, corpus: Corpus) -> None:
    sign_in(page, "clerk", PASSWORD)
    page.goto(f"{URL}?q=Geb%C3%A4ude")
    assert page.locator("main ol li").count() >= 1
    assert_accessible(page, label="suche")
    page.goto(f"{URL}?q=Antrag&von=2026-02-01&bis=2026-01-01")
    assert_accessible(page, label="suche mit fehler")
