"""The public catalogue /dienste/: by Lebenslage, search with German folding, detail pages,
only the host's Mandant's published services, hostile query strings."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from amtsfluss.dienste.models import Leistung
from tests.akte.pages.conftest import german
from tests.dienste.conftest import GEWERBE, URKUNDE, Katalog

pytestmark = pytest.mark.django_db
A, B = "a.test", "b.test"
NONE_PUBLISHED = (
    "No online services are published yet. Until then, please contact the administration directly."
)


def _page(path: str, host: str = A, **params: str) -> str:
    response = Client(HTTP_HOST=host).get(path, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_list_groups_by_lebenslage(demo: dict[str, Leistung]) -> None:
    page = _page("/dienste/")
    assert "Geburt und Kinder" in page and "Unternehmen gründen und führen" in page
    assert f'href="/dienste/{URKUNDE}/"' in page and f'href="/dienste/{GEWERBE}/"' in page
    only = _page("/dienste/", lebenslage="unternehmen")
    assert f"/dienste/{GEWERBE}/" in only and f"/dienste/{URKUNDE}/" not in only
    assert f"/dienste/{URKUNDE}/" in _page("/dienste/", lebenslage="mond")  # unknown: all


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("Geburtsurkunde", URKUNDE),
        ("geburtsURKUNDE", URKUNDE),
        ("Gewerbeschein", GEWERBE),
        ("gruendung", GEWERBE),  # Existenzgründung
        ("Existenzgrundung", GEWERBE),
        ("Strasse", None),
        ("Sterbeurkunde Standesamt", URKUNDE),
    ],
)
def test_search_folds_german_spelling(
    demo: dict[str, Leistung], query: str, found: str | None
) -> None:
    page = _page("/dienste/", q=query)
    hits = {key for key in (URKUNDE, GEWERBE) if f"/dienste/{key}/" in page}
    assert hits == ({found} if found else set())


def test_hostile_queries(demo: dict[str, Leistung]) -> None:
    for query in (
        "\x00",
        "a\x00b",
        "%",
        "_",
        "x" * 10_000,
        "<script>alert(1)</script>",
        "' OR 1=1 --",
    ):
        page = _page("/dienste/", q=query, lebenslage="\x00")
        assert "<script>alert(1)" not in page


def test_list_costs_constant_queries(demo: dict[str, Leistung]) -> None:
    client = Client(HTTP_HOST=A)
    client.get("/dienste/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/dienste/")
    assert len(queries) <= 4, [q["sql"] for q in queries]


def test_detail_page(demo: dict[str, Leistung]) -> None:
    page = _page(f"/dienste/{URKUNDE}/")
    assert "12,00 € je Exemplar" in page
    assert "Personalausweis oder Reisepass" in page and "§ 62 PStG" in page
    assert "etwa 5 Tage" in page and "Standesamt" in page
    assert f'href="/dienste/{URKUNDE}/antrag/"' in page


def test_other_mandant_and_unpublished_are_404(demo: dict[str, Leistung]) -> None:
    assert Client(HTTP_HOST=B).get(f"/dienste/{URKUNDE}/").status_code == 404
    assert Client(HTTP_HOST=B).get(f"/dienste/{URKUNDE}/antrag/").status_code == 404
    assert f"/dienste/{URKUNDE}/" not in _page("/dienste/", host=B)
    Leistung.objects.filter(leika_schluessel=URKUNDE).update(veroeffentlicht=False)
    assert Client(HTTP_HOST=A).get(f"/dienste/{URKUNDE}/").status_code == 404
    assert f"/dienste/{URKUNDE}/" not in _page("/dienste/", q="Geburtsurkunde")
    assert Client(HTTP_HOST=A).get("/dienste/00000000000000/").status_code == 404


def test_empty_catalogue(katalog: Katalog) -> None:
    page = _page("/dienste/")
    assert german(NONE_PUBLISHED) in page
    assert "/dienste/0" not in page and "/dienste/9" not in page  # no service is linked


def test_start_page_lists_the_hosts_published_services(demo: dict[str, Leistung]) -> None:
    page = _page("/")
    assert f'href="/dienste/{URKUNDE}/"' in page and f'href="/dienste/{GEWERBE}/"' in page
    assert 'href="/dienste/"' in page  # the catalogue, in the navigation and as a button
    other = _page("/", host=B)
    assert f"/dienste/{URKUNDE}/" not in other
    Leistung.objects.filter(leika_schluessel=URKUNDE).update(veroeffentlicht=False)
    assert f"/dienste/{URKUNDE}/" not in _page("/")
