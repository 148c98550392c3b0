"""The intake page of one's units (``/intern/posteingang/eingaenge/``), in German: the tabs new,
in progress, needing attention (Klärungsfälle with reason and retry, refused files with
reason) and filed (linking the Dokument); the unit filter; paging; a constant number of
queries; the retry; and nothing of another unit or Mandant."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from amtsfluss.core.models import AuditEvent
from amtsfluss.posteingang.models import Eingang, EingangStatus
from tests.conftest import client_for
from tests.posteingang.conftest import Post
from tests.posteingang.web import A_HOST, B_HOST, INBOX_URL, german, scene

pytestmark = pytest.mark.django_db


def _page(client: Client, **params: object) -> str:
    response = client.get(INBOX_URL, params)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


def _retry_url(eingang: Eingang) -> str:
    return f"/intern/posteingang/eingaenge/{eingang.pk}/wiederholen/"


def test_each_tab_shows_its_files(post: Post) -> None:
    s = scene(post)
    clerk = client_for(post.w.clerk, A_HOST)
    neu = _page(clerk)
    assert "neu.txt" in neu and "bereit.pdf" not in neu and "klaerung.txt" not in neu
    assert "verkehr.txt" not in neu  # another unit
    assert german("New") in neu and "(1)" in neu and "(2)" in neu  # counts: 1 new, 2 attention
    assert "in_arbeit.txt" in _page(clerk, liste="in-arbeit")
    attention = _page(clerk, liste="klaerung")
    assert "klaerung.txt" in attention and "Die Zielakte ist geschlossen." in attention
    assert f'action="{_retry_url(s.klaerung)}"' in attention
    assert "abgewiesen.pdf" in attention
    assert s.abgewiesen.grund and s.abgewiesen.grund in attention
    assert f'action="{_retry_url(s.abgewiesen)}"' not in attention  # refused: no retry
    assert attention.index("klaerung.txt") < attention.index("abgewiesen.pdf")
    filed = _page(clerk, liste="abgelegt")
    dokument = s.bereit.dokument
    assert dokument is not None
    assert f'href="/intern/vorgaenge/{dokument.vorgang_id}/#dokument-{dokument.pk}"' in filed
    nonsense = _page(clerk, liste="quatsch", seite="-1")  # the first tab, its first page
    assert "neu.txt" in nonsense and f'href="{INBOX_URL}?liste=neu" aria-current="page"' in nonsense


def test_the_unit_filter_offers_and_accepts_only_ones_own_units(post: Post) -> None:
    scene(post)
    w = post.w
    head = client_for(w.head, A_HOST)
    everything = _page(head)
    assert "neu.txt" in everything and "verkehr.txt" in everything
    only_32_2 = _page(head, oe=w.units["32.2"].pk)
    assert "verkehr.txt" in only_32_2 and "neu.txt" not in only_32_2
    assert f"oe={w.units['32.2'].pk}" in only_32_2  # the tabs keep the filter
    foreign = _page(head, oe=w.b_units["32"].pk)  # another Mandant's unit is no choice
    assert "neu.txt" in foreign and "verkehr.txt" in foreign
    clerk = _page(client_for(w.clerk, A_HOST), oe=w.units["32.2"].pk)  # not the clerk's unit
    assert "verkehr.txt" not in clerk
    options = clerk.split('name="oe"')[1].split("</select>")[0]
    assert "32.1" in options and "32.2" not in options


def test_other_units_and_mandanten_see_nothing(post: Post) -> None:
    s = scene(post)
    w = post.w
    for liste in ("neu", "in-arbeit", "klaerung", "abgelegt"):
        other = _page(client_for(w.other_clerk, A_HOST), liste=liste)
        assert not any(
            name in other
            for name in ("neu.txt", "bereit.pdf", "klaerung.txt", "abgewiesen.pdf", "in_arbeit")
        )
        foreign = _page(client_for(w.b_clerk, B_HOST), liste=liste)
        assert "verkehr.txt" not in foreign and "neu.txt" not in foreign
    elsewhere = client_for(w.clerk, A_HOST).get(INBOX_URL, HTTP_HOST=B_HOST)
    assert elsewhere.status_code in (302, 404) and b"neu.txt" not in elsewhere.content
    anonymous = Client(HTTP_HOST=A_HOST).get(INBOX_URL)
    assert anonymous.status_code == 302 and "/anmelden/" in anonymous["Location"]
    assert s.other_unit.status == EingangStatus.GEPRUEFT


def test_the_retry_puts_a_klaerungsfall_back_into_the_pipeline(
    post: Post, django_capture_on_commit_callbacks: Any
) -> None:
    s = scene(post)
    clerk = client_for(post.w.clerk, A_HOST)
    queued = DBTaskResult.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk.post(_retry_url(s.klaerung), {"next": f"{INBOX_URL}?liste=klaerung"})
    assert response.status_code == 302 and response["Location"] == f"{INBOX_URL}?liste=klaerung"
    eingang = Eingang.objects.get(pk=s.klaerung.pk)
    assert eingang.status == EingangStatus.GEPRUEFT and eingang.versuche == 1
    assert DBTaskResult.objects.count() == queued + 1  # enqueued on commit
    assert AuditEvent.objects.filter(action="posteingang.retry", object_id=str(eingang.pk)).exists()
    page = clerk.get(response["Location"]).content.decode()
    assert "klaerung.txt" in page and 'role="status"' in page  # the message, then the tab
    assert "klaerung.txt" in _page(clerk)  # now among the new ones

    again = clerk.post(_retry_url(s.klaerung), follow=True)  # no longer a Klärungsfall
    assert german("Only a Klärungsfall can be retried.") in again.content.decode()
    assert Eingang.objects.get(pk=s.klaerung.pk).versuche == 1
    external = clerk.post(_retry_url(s.klaerung), {"next": "https://evil.example/"})
    assert external["Location"].startswith(INBOX_URL)


def test_the_retry_is_for_the_unit_only_and_needs_post_and_csrf(post: Post) -> None:
    s = scene(post)
    w = post.w
    url = _retry_url(s.klaerung)
    assert client_for(w.other_clerk, A_HOST).post(url).status_code == 404
    assert client_for(w.b_clerk, B_HOST).post(url).status_code == 404
    assert client_for(w.clerk, A_HOST).post(url, HTTP_HOST=B_HOST).status_code in (302, 404)
    assert Client(HTTP_HOST=A_HOST).post(url).status_code == 302  # to the login
    clerk = client_for(w.clerk, A_HOST)
    assert clerk.get(url).status_code == 405
    strict = client_for(w.clerk, A_HOST)
    strict.handler.enforce_csrf_checks = True
    assert strict.post(url).status_code == 403
    assert Eingang.objects.get(pk=s.klaerung.pk).status == EingangStatus.KLAERUNG
    assert AuditEvent.objects.filter(
        action="posteingang.eingang.change", outcome="denied", actor_id=w.other_clerk.pk
    ).exists()


def _add(post: Post, n: int) -> None:
    post.receive(*((f"brief{i}.txt", f"Schreiben Nummer {i}".encode()) for i in range(n)))


def _queries(client: Client, params: dict[str, str]) -> int:
    client.get(INBOX_URL, params)  # the first request warms caches (content types, session)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(INBOX_URL, params)
    assert response.status_code == 200
    return len(captured)


def test_each_tab_costs_the_same_queries_for_3_rows_as_for_30(post: Post) -> None:
    scene(post)
    head = client_for(post.w.head, A_HOST)
    tabs = [{"liste": tab} for tab in ("neu", "in-arbeit", "klaerung", "abgelegt")]
    tabs.append({"liste": "neu", "oe": str(post.unit.pk)})
    small = [_queries(head, params) for params in tabs]
    _add(post, 27)
    Eingang.objects.filter(dateiname__in=["brief1.txt", "brief2.txt"]).update(
        status=EingangStatus.KLAERUNG, grund="Zeitüberschreitung"
    )
    assert "brief26.txt" in _page(head)
    assert [_queries(head, params) for params in tabs] == small


def test_long_lists_are_paged(post: Post) -> None:
    _add(post, 52)
    clerk = client_for(post.w.clerk, A_HOST)
    first = _page(clerk)
    assert first.count('<tr class="kern-table__row">') == 51  # header and 50 rows
    assert "seite=2" in first and "(52)" in first
    second = _page(clerk, seite=2)
    assert second.count('<tr class="kern-table__row">') == 3
