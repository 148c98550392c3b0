"""Every object operation, asked by Mandant B for an object of Mandant A: 404 and nothing of A.

B asks with its most privileged person (Fachadministration and Datenschutz), once with an API key
on B's host and once with a web session on B's host; the object stays unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db.models import Model
from django.test import Client

from amtsfluss.core.models import ApiKey, AuditEvent, Membership, User
from tests.api.conftest import B_HOST, api_client, make_vertretung, new_key
from tests.conftest import World, client_for


@dataclass(frozen=True)
class Target:
    method: str
    url: str  # with {pk}
    obj: Callable[[World], Model]
    marker: Callable[[Model], str]  # a piece of A's data that must not leak


def _unit(world: World) -> Model:
    return world.units["32.1"]


def _membership(world: World) -> Model:
    return Membership.objects.get(user=world.clerk)


def _vertretung(world: World) -> Model:
    return make_vertretung(
        world, world.clerk, world.head, start=-timedelta(hours=1), end=timedelta(days=1)
    )


def _event(world: World) -> Model:
    return AuditEvent.objects.filter(mandant=world.a).latest("seq")


def _key(world: World) -> Model:
    return new_key(world.clerk, name="Fachverfahren-A")[0]


TARGETS = [
    Target("get", "/api/v1/organisationseinheiten/{pk}", _unit, lambda o: "Einheit 32.1"),
    Target("get", "/api/v1/memberships/{pk}", _membership, lambda o: '"clerk"'),
    Target("get", "/api/v1/vertretungen/{pk}", _vertretung, lambda o: "Urlaub"),
    Target("post", "/api/v1/vertretungen/{pk}/end", _vertretung, lambda o: "Urlaub"),
    Target("get", "/api/v1/audit-events/{pk}", _event, lambda o: o.hash),  # type: ignore[attr-defined]
    Target("get", "/api/v1/apikeys/{pk}", _key, lambda o: "Fachverfahren-A"),
    Target("post", "/api/v1/apikeys/{pk}/revoke", _key, lambda o: "Fachverfahren-A"),
]


def _snapshot(obj: Model) -> dict[str, object]:
    fresh = type(obj)._default_manager.get(pk=obj.pk)
    return {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields}


@pytest.mark.parametrize("how", ["apikey", "session"])
@pytest.mark.parametrize("target", TARGETS, ids=lambda t: f"{t.method} {t.url}")
def test_mandant_b_gets_404_for_objects_of_a(
    world: World, b_boss: User, target: Target, how: str
) -> None:
    obj = target.obj(world)
    before = _snapshot(obj)
    client: Client = (
        api_client(b_boss, host=B_HOST) if how == "apikey" else client_for(b_boss, B_HOST)
    )
    response = getattr(client, target.method)(target.url.format(pk=obj.pk))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert target.marker(obj) not in response.content.decode()
    assert _snapshot(obj) == before
    # and B's log records the refusal (ASVS 16.3)
    refused = AuditEvent.objects.filter(mandant=world.b, outcome="denied", object_id=str(obj.pk))
    assert refused.exists()


def test_lists_of_b_hold_nothing_of_a(world: World, b_boss: User) -> None:
    make_vertretung(
        world, world.clerk, world.head, start=-timedelta(hours=1), end=timedelta(days=1)
    )
    new_key(world.clerk, name="Fachverfahren-A")
    client = api_client(b_boss, host=B_HOST)
    for url in (
        "/api/v1/organisationseinheiten",
        "/api/v1/memberships",
        "/api/v1/vertretungen",
        "/api/v1/audit-events",
        "/api/v1/apikeys",
    ):
        content = client.get(f"{url}?limit=200").content.decode()
        for marker in ("Einheit", '"clerk"', "Urlaub", "Fachverfahren-A", "Stadt A"):
            assert marker not in content, (url, marker)
    assert ApiKey.objects.filter(mandant=world.a).count() == 1
