"""The register and the Kasse's worklist cost the same number of queries for 2 rows as for 20."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from amtsfluss.rechnung.models import Rechnung, RechnungStatus
from tests.conftest import client_for
from tests.rechnung.pages.conftest import A_HOST, invoice
from tests.rechnung.rechnung_world import RechnungWorld


def queries(client: Client, url: str) -> int:
    client.get(url)  # the first request of a session warms caches (content types, session)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def _receive(rw: RechnungWorld, start: int, n: int) -> None:
    for i in range(start, start + n):
        leitweg = "04011000-99999-99" if i % 3 == 0 else None  # some in Klärung
        options = {"leitweg": leitweg} if leitweg else {}
        rechnung = rw.receive(invoice(f"Q-{i:03d}", **options), name=f"q{i}.xml")  # type: ignore[arg-type]
        if i % 2:  # and some angeordnet, for the Kasse's worklist
            Rechnung.objects.filter(pk=rechnung.pk).update(status=RechnungStatus.ANGEORDNET)


def test_register_and_worklist_cost_constant_queries(rw: RechnungWorld) -> None:
    kasse = client_for(rw.kasse, A_HOST)
    urls = [
        "/intern/rechnungen/",
        "/intern/rechnungen/?klaerung=on&q=Q-",
        "/intern/rechnungen/?sortierung=faellig",
        "/intern/rechnungen/zahlungslaeufe/",
    ]
    _receive(rw, 0, 2)
    small = [queries(kasse, url) for url in urls]
    _receive(rw, 2, 18)
    large = [queries(kasse, url) for url in urls]
    assert small == large
