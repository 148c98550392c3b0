"""The Amtsleitung's list and a Vorgang's Bescheide cost the same number of queries for 2 rows
as for 6: no per-row query, no per-row permission check."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from amtsfluss.akte.services.vorgang import vorgang_create
from amtsfluss.bescheid.models import Bescheid, BescheidStatus
from amtsfluss.bescheid.services.bescheid import bescheid_create, bescheid_request_signature
from tests.bescheid.conftest import BescheidWorld, as_
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def queries(client: Client, url: str) -> int:
    client.get(url)  # the first request of a session warms caches (content types, session)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def _asked(bw: BescheidWorld, n: int) -> None:
    """``n`` Bescheide of new Vorgänge awaiting the head's Schlusszeichnung, and ``n`` more
    Bescheide of the fixture's Vorgang (each marked signed so that the next can be drafted)."""
    clerk = as_(bw.w.clerk)
    for i in range(n):
        vorgang = vorgang_create(principal=clerk, akte=bw.akte, betreff=f"Anmeldung {i}")
        bescheid = bescheid_create(principal=clerk, vorgang=vorgang, leistung=bw.gewerbe)
        bescheid_request_signature(principal=clerk, bescheid=bescheid, signer=bw.w.head)
        done = bescheid_create(principal=clerk, vorgang=bw.vorgang, leistung=bw.gewerbe)
        Bescheid.objects.filter(pk=done.pk).update(status=BescheidStatus.GEZEICHNET)


def test_lists_cost_constant_queries(bw: BescheidWorld) -> None:
    head = client_for(bw.w.head, "a.test")
    urls = [
        "/intern/bescheide/zur-schlusszeichnung/",
        f"/intern/bescheide/vorgang/{bw.vorgang.pk}/",
    ]
    _asked(bw, 2)
    few = [queries(head, url) for url in urls]
    _asked(bw, 4)
    assert Bescheid.objects.filter(requested_from=bw.w.head).count() == 6
    assert Bescheid.objects.filter(vorgang=bw.vorgang).count() == 6
    assert [queries(head, url) for url in urls] == few
    page = head.get(urls[0]).content.decode()
    assert page.count('<tr class="kern-table__row">') == 7  # the header and six Bescheide
