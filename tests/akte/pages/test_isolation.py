"""Every object URL of the pages, asked by somebody who may not: 404, nothing of it, no change.

* another unit: the clerk of 32.2 asks for the objects of an open Akte of 32.1;
* another Mandant: the clerk of Mandant B asks on B's host name.

Each refusal is an audit event in the asker's Mandant. Forms that *name* a foreign object as
their target (move my Vorgang into their Akte) refuse it as input and change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.test import Client

from amtsfluss.akte.models import (
    Akte,
    Aktenplanposition,
    Beteiligter,
    Beteiligung,
    Dokument,
    Dokumentversion,
    FruehereAktenzeichen,
    Person,
    Vorgang,
    Wiedervorlage,
)
from amtsfluss.akte.services.akte import check_akte_create
from amtsfluss.akte.services.aktenplan import position_create
from amtsfluss.core.models import AuditEvent, Blob, Mandant, User
from tests.akte.conftest import AkteWorld, as_
from tests.akte.pages.conftest import A_HOST, B_HOST, PDF, Case, fill
from tests.conftest import client_for

Ids = dict[str, Any]


def _upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@dataclass(frozen=True)
class Op:
    method: str
    url: str  # placeholders: akte vorgang dokument version wiedervorlage beteiligung position
    data: Callable[[Ids], dict[str, Any]] | None = None
    units: bool = True  # False: the object is visible to all staff of the Mandant

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.url}"

    def call(self, client: Client, ids: Ids) -> Any:
        url = self.url.format(**ids)
        if self.method == "get":
            return client.get(url)
        return client.post(url, self.data(ids) if self.data else {})


OPS = [
    Op("get", "/intern/akten/{akte}/"),
    Op("get", "/intern/vorgaenge/{vorgang}/"),
    Op("get", "/intern/dokumentversionen/{version}/download"),
    Op("get", "/intern/dokumentversionen/{version}/ansicht"),
    Op("get", "/intern/aktenplan/{position}/neue-akte/", units=False),
    Op(
        "post",
        "/intern/aktenplan/{position}/neue-akte/",
        lambda ids: {"titel": "eingeschleust", "vertraulichkeit": "offen"},
        units=False,
    ),
    Op("post", "/intern/akten/{akte}/vorgaenge/neu/", lambda ids: {"vorgang-betreff": "x"}),
    Op(
        "post",
        "/intern/akten/{akte}/wiedervorlagen/neu/",
        lambda ids: {"wv-faellig_am": "2031-01-01"},
    ),
    Op("post", "/intern/akten/{akte}/zda/"),
    Op("post", "/intern/akten/{akte}/wieder-oeffnen/"),
    Op(
        "post",
        "/intern/akten/{akte}/umprotokollieren/",
        lambda ids: {"umprotokollieren-kennzeichen": "10.38.60"},
    ),
    Op(
        "post",
        "/intern/akten/{akte}/beteiligungen/neu/",
        lambda ids: {"beteiligung-user": ids["asker"], "beteiligung-darf_bearbeiten": "on"},
    ),
    Op("post", "/intern/akten/{akte}/beteiligungen/{beteiligung}/entziehen/"),
    Op(
        "post",
        "/intern/vorgaenge/{vorgang}/bearbeiten/",
        lambda ids: {"bearbeiten-status": "erledigt"},
    ),
    Op(
        "post",
        "/intern/vorgaenge/{vorgang}/verschieben/",
        lambda ids: {"verschieben-aktenzeichen": ids["own_aktenzeichen"]},
    ),
    Op(
        "post",
        "/intern/vorgaenge/{vorgang}/wiedervorlagen/neu/",
        lambda ids: {"wv-faellig_am": "2031-01-01"},
    ),
    Op(
        "post",
        "/intern/vorgaenge/{vorgang}/dokumente/neu/",
        lambda ids: {
            "dokument-titel": "fremd",
            "dokument-dokumentdatum": "2026-01-01",
            "dokument-richtung": "eingang",
            "dokument-dokumenttyp": "antrag",
            "dokument-datei": _upload("fremd.pdf"),
        },
    ),
    Op(
        "post",
        "/intern/dokumente/{dokument}/versionen/neu/",
        lambda ids: {
            f"version-{ids['dokument']}-kommentar": "x",
            f"version-{ids['dokument']}-rendition": "original",
            f"version-{ids['dokument']}-datei": _upload("fremd.pdf"),
        },
    ),
    Op(
        "post",
        "/intern/dokumente/{dokument}/verschieben/",
        lambda ids: {f"dokument-{ids['dokument']}-vorgang": ids["own_vorgang"]},
    ),
    Op("post", "/intern/wiedervorlagen/{wiedervorlage}/erledigt/"),
]
STATE_MODELS: list[type[Model]] = [
    Akte,
    Vorgang,
    Dokument,
    Dokumentversion,
    Wiedervorlage,
    Beteiligung,
    Beteiligter,
    Person,
    FruehereAktenzeichen,
    Aktenplanposition,
    Blob,
]


def _state() -> dict[str, list[dict[str, Any]]]:
    return {
        model.__name__: list(model._default_manager.order_by("pk").values())
        for model in STATE_MODELS
    }


@dataclass
class Scene:
    case: Case
    asker: User
    host: str
    mandant: Mandant
    own: Case

    @property
    def ids(self) -> Ids:
        case = self.case
        return {
            "akte": case.akte.pk,
            "vorgang": case.vorgang.pk,
            "dokument": case.pdf_dokument.pk,
            "version": case.pdf.pk,
            "wiedervorlage": case.wiedervorlage.pk,
            "beteiligung": case.beteiligung.pk,
            "position": case.akte.position_id,
            "asker": self.asker.pk,
            "own_aktenzeichen": self.own.akte.aktenzeichen,
            "own_vorgang": self.own.vorgang.pk,
        }

    def client(self) -> Client:
        return client_for(self.asker, self.host)


def _ask_and_check(scene: Scene, op: Op) -> None:
    client = scene.client()
    before = _state()
    denied = AuditEvent.objects.filter(mandant=scene.mandant, outcome="denied")
    denied_before = denied.count()
    response = op.call(client, scene.ids)
    assert response.status_code == 404, (str(op), response.status_code)
    content = response.content.decode()
    for marker in scene.case.markers():
        assert marker not in content, (str(op), marker)
    assert _state() == before, str(op)
    assert denied.filter(actor_id=scene.asker.pk).count() == denied_before + 1, str(op)


@pytest.fixture
def neighbour(akten: AkteWorld) -> Scene:
    w = akten.w
    return Scene(
        case=fill(akten, akten.offen_32_1),
        asker=w.other_clerk,
        host=A_HOST,
        mandant=w.a,
        own=fill(akten, akten.offen_32_2, by=w.other_clerk, tag="Nachbar"),
    )


@pytest.fixture
def foreigner(akten: AkteWorld) -> Scene:
    """The clerk of Mandant B, with an Akte of B's own."""
    w = akten.w
    for kennzeichen in ("10", "10.38", "10.38.50"):
        leaf = position_create(
            mandant=w.b, kennzeichen=kennzeichen, titel=f"B {kennzeichen}", by=None
        )
    b_akte = check_akte_create(
        principal=as_(w.b_clerk), position=leaf, titel="B-Akte", federfuehrende_oe=w.b_units["32"]
    )
    return Scene(
        case=fill(akten, akten.offen_32_1),
        asker=w.b_clerk,
        host=B_HOST,
        mandant=w.b,
        own=fill(akten, b_akte, by=w.b_clerk, grantee=w.b_clerk, tag="B"),
    )


@pytest.mark.parametrize("op", [op for op in OPS if op.units], ids=str)
def test_another_unit_gets_404(neighbour: Scene, op: Op) -> None:
    _ask_and_check(neighbour, op)


@pytest.mark.parametrize("op", OPS, ids=str)
def test_another_mandant_gets_404(foreigner: Scene, op: Op) -> None:
    _ask_and_check(foreigner, op)


@pytest.mark.parametrize("scene_name", ["neighbour", "foreigner"])
def test_a_foreign_target_is_refused_as_input(
    akten: AkteWorld, scene_name: str, request: pytest.FixtureRequest
) -> None:
    """My Vorgang into their Akte, my Dokument into their Vorgang: no such target, no change."""
    scene: Scene = request.getfixturevalue(scene_name)  # ``akten`` above: ordered as a db test
    client, own, case = scene.client(), scene.own, scene.case
    before = _state()
    moved = client.post(
        f"/intern/vorgaenge/{own.vorgang.pk}/verschieben/",
        {"verschieben-aktenzeichen": case.akte.aktenzeichen},
    )
    assert moved.status_code == 400
    dokument = client.post(
        f"/intern/dokumente/{own.pdf_dokument.pk}/verschieben/",
        {f"dokument-{own.pdf_dokument.pk}-vorgang": case.vorgang.pk},
    )
    assert dokument.status_code == 400
    for response in (moved, dokument):
        content = response.content.decode()
        for marker in case.markers()[1:]:  # the typed Aktenzeichen is the asker's own input
            assert marker not in content, marker
    assert _state() == before


def test_lists_of_another_unit_and_mandant_hold_nothing(neighbour: Scene, foreigner: Scene) -> None:
    for scene in (neighbour, foreigner):
        client = scene.client()
        for url in (
            "/intern/posteingang/",
            "/intern/posteingang/?liste=unit",
            "/intern/akten/",
            f"/intern/akten/?q={scene.case.akte.aktenzeichen}",
            "/intern/aktenplan/",
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            content = response.content.decode()
            for marker in scene.case.markers()[1:]:
                assert marker not in content, (url, marker)
            if url == "/intern/posteingang/":
                assert scene.own.vorgang.betreff in content  # they do see their own
