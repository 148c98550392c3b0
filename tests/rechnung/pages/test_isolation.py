"""Every object URL of the E-Rechnung pages, asked by somebody who may not: 404, nothing of the
invoice in the answer, nothing changed, and the refusal is an audit event in the asker's Mandant.

* another unit: the clerk of 32.2 asks for invoices of 32.1 and the Kasse's Zahlungslauf;
* another Mandant: the clerk of Mandant B asks on B's host name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Model
from django.test import Client
from django.utils import timezone

from amtsfluss.akte.models import Dokument, Vorgang
from amtsfluss.core.models import AuditEvent, Blob, Mandant, User
from amtsfluss.rechnung.models import Pruefschritt, Rechnung, Zahlungslauf
from amtsfluss.rechnung.services.freigabe import (
    rechnung_anordnen,
    rechnung_rechnerisch_richtig,
    rechnung_sachlich_richtig,
)
from amtsfluss.rechnung.services.zahlungslauf import zahlungslauf_create
from tests.conftest import client_for
from tests.rechnung.pages.conftest import A_HOST, B_HOST, SUITE_ATTACHMENT, Booked, as_

#: (method, URL, form data); placeholders: r (an invoice of 32.1), k (one in Klärung), run.
OPS: list[tuple[str, str, dict[str, Any]]] = [
    ("get", "/intern/rechnungen/{r}/", {}),
    ("post", "/intern/rechnungen/{r}/sachlich-richtig/", {"bestaetigen-status": "eingegangen"}),
    ("post", "/intern/rechnungen/{r}/rechnerisch-richtig/", {"bestaetigen-status": "x"}),
    ("post", "/intern/rechnungen/{r}/anordnung/", {"bestaetigen-status": "x"}),
    (
        "post",
        "/intern/rechnungen/{r}/zurueckweisen/",
        {"zurueckweisen-status": "eingegangen", "zurueckweisen-begruendung": "fremd"},
    ),
    ("post", "/intern/rechnungen/{k}/zuordnen/", {"zuordnen-unit": "{unit}"}),
    ("get", "/intern/rechnungen/{r}/original", {}),
    ("get", "/intern/rechnungen/{r}/lesbare-fassung.pdf", {}),
    ("get", "/intern/rechnungen/{r}/anhang", {"referenz": SUITE_ATTACHMENT}),
    ("get", "/intern/rechnungen/zahlungslaeufe/{run}/", {}),
    ("get", "/intern/rechnungen/zahlungslaeufe/{run}/pain001.xml", {}),
    ("get", "/intern/rechnungen/zahlungslaeufe/{run}/zahlungen.csv", {}),
]
STATE_MODELS: list[type[Model]] = [Rechnung, Pruefschritt, Zahlungslauf, Vorgang, Dokument, Blob]


def _state() -> dict[str, list[dict[str, Any]]]:
    return {m.__name__: list(m._default_manager.order_by("pk").values()) for m in STATE_MODELS}


@dataclass
class Scene:
    booked: Booked
    run: Zahlungslauf
    asker: User
    host: str
    mandant: Mandant

    def ids(self) -> dict[str, Any]:
        return {
            "r": self.booked.with_attachment.pk,
            "k": self.booked.klaerung.pk,
            "run": self.run.pk,
            "unit": self.booked.rw.units["32.1"].pk,
        }

    def markers(self) -> list[str]:
        r = self.booked.with_attachment
        return [r.eingangsnummer, r.rechnungsnummer, r.verkaeufer_name, self.run.nummer]


@pytest.fixture
def paid(booked: Booked) -> Zahlungslauf:
    w, rw = booked.rw.w, booked.rw
    r = rechnung_sachlich_richtig(principal=as_(w.clerk), rechnung=booked.fresh)
    r = rechnung_rechnerisch_richtig(principal=as_(rw.pruefer), rechnung=r)
    r = rechnung_anordnen(principal=as_(w.head), rechnung=r)
    return zahlungslauf_create(
        principal=as_(rw.kasse),
        rechnungen=[r],
        ausfuehrungsdatum=timezone.localdate() + timedelta(days=1),
    )


@pytest.fixture(params=["neighbour", "foreigner"])
def scene(booked: Booked, paid: Zahlungslauf, request: pytest.FixtureRequest) -> Scene:
    w = booked.rw.w
    if request.param == "neighbour":
        return Scene(booked, paid, w.other_clerk, A_HOST, w.a)
    return Scene(booked, paid, w.b_clerk, B_HOST, w.b)


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    return value.format(**ids) if isinstance(value, str) else value


@pytest.mark.parametrize(("method", "url", "data"), OPS, ids=[f"{m} {u}" for m, u, _ in OPS])
def test_object_pages_answer_404_change_nothing_and_are_audited(
    scene: Scene, method: str, url: str, data: dict[str, Any]
) -> None:
    client: Client = client_for(scene.asker, scene.host)
    ids = scene.ids()
    before = _state()
    denied = AuditEvent.objects.filter(
        mandant=scene.mandant, outcome="denied", actor_id=scene.asker.pk
    )
    denied_before = denied.count()
    filled = {key: _fill(value, ids) for key, value in data.items()}
    call = client.get if method == "get" else client.post
    response = call(url.format(**ids), filled)
    assert response.status_code == 404
    content = response.content.decode()
    for marker in scene.markers():
        assert marker not in content, marker
    assert _state() == before
    assert denied.count() == denied_before + 1


def test_lists_of_another_unit_and_mandant_hold_nothing(scene: Scene) -> None:
    client = client_for(scene.asker, scene.host)
    r = scene.booked.with_attachment
    listing = client.get("/intern/rechnungen/", {"q": r.eingangsnummer})
    assert listing.status_code == 200
    content = listing.content.decode()
    assert f'href="/intern/rechnungen/{r.pk}/"' not in content
    for marker in scene.markers()[1:]:  # the Eingangsnummer is the asker's own search text
        assert marker not in content, marker
    # the Zahlungslauf area is the Kasse's: it does not exist for them
    assert client.get("/intern/rechnungen/zahlungslaeufe/").status_code == 404
