"""Every E-Akte object operation, asked by somebody who may not: 404, nothing of it, no change.

* another unit: the clerk of 32.2 asks for the objects of an open Akte of 32.1;
* confidentiality: the Amtsleitung of 32 sees a *vertraulich* Akte of 32.1, but a grant to the
  unit 32.2 does not open it (confidential Akten are for named persons only);
* another Mandant: B's most privileged person (who also works in B's Akten) asks with an API key
  and with a web session on B's host.

Operations that name a foreign object as the *target* (move my Vorgang into their Akte) are
tried as well. Each refusal is an audit event in the asker's Mandant.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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
from amtsfluss.core.models import AuditEvent, Blob, Mandant, Role, User
from amtsfluss.core.services.organisation import membership_grant
from tests.api.akte.conftest import AkteWorld, CaseFile, as_, case_file, upload_fields
from tests.api.conftest import B_HOST, api_client
from tests.conftest import client_for

Ids = dict[str, int]


@dataclass(frozen=True)
class Op:
    method: str
    url: str  # placeholders: akte vorgang dokument version wiedervorlage beteiligung position,
    #           own_akte own_vorgang own_dokument (the asker's own objects)
    json: Callable[[Ids], dict[str, Any]] | None = None
    multipart: Callable[[], dict[str, Any]] | None = None
    units: bool = True  # False: the object is visible to all staff of the Mandant

    def __str__(self) -> str:
        body = sorted(self.json({k: 0 for k in KEYS})) if self.json else ""
        return f"{self.method.upper()} {self.url} {body}".strip()

    def call(self, client: Client, ids: Ids) -> Any:
        url = self.url.format(**ids)
        if self.json is not None:
            return getattr(client, self.method)(
                url, self.json(ids), content_type="application/json"
            )
        if self.multipart is not None:
            return client.post(url, self.multipart())
        return getattr(client, self.method)(url)


KEYS = [
    *("akte", "vorgang", "dokument", "version", "wiedervorlage", "beteiligung", "position"),
    *("own_akte", "own_vorgang", "own_dokument"),
]

DUE = {"faellig_am": "2031-01-01"}

OPS = [
    Op("get", "/api/v1/aktenplan/{position}", units=False),
    Op("get", "/api/v1/akten/{akte}"),
    Op("post", "/api/v1/akten/{akte}/zda"),
    Op("post", "/api/v1/akten/{akte}/reopen"),
    Op("post", "/api/v1/akten/{akte}/refile", json=lambda ids: {"position_id": ids["position"]}),
    Op("get", "/api/v1/akten/{akte}/history"),
    Op("post", "/api/v1/akten/{akte}/beteiligungen", json=lambda ids: {"unit_id": None}),
    Op("delete", "/api/v1/akten/{akte}/beteiligungen/{beteiligung}"),
    Op(
        "post",
        "/api/v1/akten/{akte}/beteiligte",
        json=lambda ids: {"rolle": "x", "person": {"art": "natuerlich", "name": "Neu"}},
    ),
    Op("post", "/api/v1/akten/{akte}/vorgaenge", json=lambda ids: {"betreff": "eingeschleust"}),
    Op("get", "/api/v1/vorgaenge/{vorgang}"),
    Op("patch", "/api/v1/vorgaenge/{vorgang}", json=lambda ids: {"status": "erledigt"}),
    Op("post", "/api/v1/vorgaenge/{vorgang}/move", json=lambda ids: {"akte_id": ids["own_akte"]}),
    Op("post", "/api/v1/vorgaenge/{own_vorgang}/move", json=lambda ids: {"akte_id": ids["akte"]}),
    Op("get", "/api/v1/vorgaenge/{vorgang}/dokumente"),
    Op("post", "/api/v1/vorgaenge/{vorgang}/dokumente", multipart=lambda: upload_fields(b"fremd")),
    Op("get", "/api/v1/dokumente/{dokument}"),
    Op(
        "post",
        "/api/v1/dokumente/{dokument}/versionen",
        multipart=lambda: {"kommentar": "x", "file": SimpleUploadedFile("x.pdf", b"fremd")},
    ),
    Op(
        "post",
        "/api/v1/dokumente/{dokument}/move",
        json=lambda ids: {"vorgang_id": ids["own_vorgang"]},
    ),
    Op(
        "post",
        "/api/v1/dokumente/{own_dokument}/move",
        json=lambda ids: {"vorgang_id": ids["vorgang"]},
    ),
    Op("get", "/api/v1/dokumentversionen/{version}/download"),
    Op("post", "/api/v1/wiedervorlagen/{wiedervorlage}/erledigt"),
    Op("post", "/api/v1/wiedervorlagen", json=lambda ids: {"akte_id": ids["akte"], **DUE}),
    Op("post", "/api/v1/wiedervorlagen", json=lambda ids: {"vorgang_id": ids["vorgang"], **DUE}),
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


@dataclass
class Scene:
    case: CaseFile
    asker: User
    own: CaseFile
    markers: list[str] = field(default_factory=list)

    @property
    def ids(self) -> Ids:
        case, own = self.case, self.own
        return {
            "akte": case.akte.pk,
            "vorgang": case.vorgang.pk,
            "dokument": case.dokument.pk,
            "version": case.version.pk,
            "wiedervorlage": case.wiedervorlage.pk,
            "beteiligung": case.beteiligung.pk,
            "position": case.akte.position_id,
            "own_akte": own.akte.pk,
            "own_vorgang": own.vorgang.pk,
            "own_dokument": own.dokument.pk,
        }


def _markers(case: CaseFile) -> list[str]:
    return [
        case.akte.aktenzeichen,
        case.akte.titel,
        case.vorgang.betreff,
        case.dokument.titel,
        case.wiedervorlage.notiz,
        "Mustermann",
        case.content.decode(),
    ]


def _state() -> dict[str, list[dict[str, Any]]]:
    return {
        model.__name__: list(model._default_manager.order_by("pk").values())
        for model in STATE_MODELS
    }


def _ask_and_check(scene: Scene, op: Op, client: Client, mandant: Mandant) -> None:
    before = _state()
    denied_before = AuditEvent.objects.filter(mandant=mandant, outcome="denied").count()
    response = op.call(client, scene.ids)
    assert response.status_code == 404, (str(op), response.content)
    assert response.json() == {"detail": "Not found."}
    content = response.content.decode()
    for marker in scene.markers:
        assert marker not in content, (str(op), marker)
    assert _state() == before, str(op)
    refused = AuditEvent.objects.filter(mandant=mandant, outcome="denied", actor_id=scene.asker.pk)
    assert refused.count() == denied_before + 1, str(op)


# --- another unit ------------------------------------------------------------------------------


@pytest.fixture
def neighbour(akten: AkteWorld) -> Scene:
    w = akten.w
    case = case_file(akten, akten.offen_32_1)
    own = case_file(akten, akten.offen_32_2, by=w.other_clerk)
    return Scene(case=case, asker=w.other_clerk, own=own, markers=_markers(case))


@pytest.mark.parametrize("op", [op for op in OPS if op.units], ids=str)
def test_another_unit_gets_404(neighbour: Scene, op: Op) -> None:
    _ask_and_check(neighbour, op, api_client(neighbour.asker), neighbour.case.akte.mandant)


@pytest.fixture
def confidential(akten: AkteWorld) -> Scene:
    """A vertraulich Akte of 32.1 with a grant to the unit 32.2 (which the service refuses to
    create; written directly, as a grant from before the Akte became confidential would be)."""
    w = akten.w
    case = case_file(akten, akten.vertr_32_1)
    Beteiligung.objects.create(
        mandant=w.a, akte=akten.vertr_32_1, unit=w.units["32.2"], created_by=w.clerk
    )
    own = case_file(akten, akten.offen_32_2, by=w.other_clerk)
    return Scene(case=case, asker=w.other_clerk, own=own, markers=_markers(case))


@pytest.mark.parametrize("op", [op for op in OPS if op.units], ids=str)
def test_unit_grant_does_not_open_a_confidential_akte(
    akten: AkteWorld, confidential: Scene, op: Op
) -> None:
    if op.method == "get":  # the Amtsleitung over 32.1 does see it
        response = op.call(api_client(akten.w.head), confidential.ids)
        assert response.status_code == 200, (str(op), response.content)
    _ask_and_check(confidential, op, api_client(confidential.asker), akten.w.a)


# --- another Mandant ---------------------------------------------------------------------------


@pytest.fixture
def foreigner(akten: AkteWorld, b_boss: User) -> Scene:
    """b_boss: Fachadministration and Datenschutz of B, and Sachbearbeitung in B's Akten."""
    w = akten.w
    membership_grant(user=b_boss, unit=w.b_units["32"], role=Role.SACHBEARBEITUNG, by=None)
    for kennzeichen in ("10", "10.38", "10.38.50"):
        leaf = position_create(
            mandant=w.b, kennzeichen=kennzeichen, titel=f"B {kennzeichen}", by=None
        )
    b_akte = check_akte_create(
        principal=as_(b_boss), position=leaf, titel="B-Akte", federfuehrende_oe=w.b_units["32"]
    )
    b_world = AkteWorld(
        w=w,
        positions={},
        offen_32_1=b_akte,
        vertr_32_1=b_akte,
        streng_32_1=b_akte,
        offen_32_2=b_akte,
    )
    case = case_file(akten, akten.offen_32_1)
    own = case_file(b_world, b_akte, by=b_boss, grantee=w.b_clerk)
    return Scene(case=case, asker=b_boss, own=own, markers=[*_markers(case), "Stadt A"])


@pytest.mark.parametrize("how", ["apikey", "session"])
@pytest.mark.parametrize("op", OPS, ids=str)
def test_another_mandant_gets_404(akten: AkteWorld, foreigner: Scene, op: Op, how: str) -> None:
    asker = foreigner.asker
    client = api_client(asker, host=B_HOST) if how == "apikey" else client_for(asker, B_HOST)
    _ask_and_check(foreigner, op, client, akten.w.b)


# --- lists -------------------------------------------------------------------------------------

LISTS = [
    "/api/v1/akten",
    "/api/v1/vorgaenge",
    "/api/v1/inbox",
    "/api/v1/wiedervorlagen",
    "/api/v1/wiedervorlagen?due=today",
    "/api/v1/aktenplan",
]


def test_lists_of_another_unit_and_mandant_hold_nothing(
    akten: AkteWorld, neighbour: Scene, foreigner: Scene
) -> None:
    for scene, client in (
        (neighbour, api_client(neighbour.asker)),
        (foreigner, api_client(foreigner.asker, host=B_HOST)),
    ):
        for url in LISTS:
            response = client.get(f"{url}{'&' if '?' in url else '?'}limit=200")
            assert response.status_code == 200
            for marker in scene.markers:
                assert marker not in response.content.decode(), (url, marker)
    b_plan = api_client(foreigner.asker, host=B_HOST).get("/api/v1/aktenplan").json()
    assert [p["titel"] for p in b_plan["items"]] == ["B 10", "B 10.38", "B 10.38.50"]
