"""Every list costs the same number of queries for 3 rows as for 30 (no N+1, no per-row checks)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amtsfluss.core import audit
from amtsfluss.core.models import Role, User, Vertretung
from amtsfluss.core.services.mandant import mandant_create
from amtsfluss.core.services.organisation import membership_grant, unit_create
from amtsfluss.core.services.users import staff_user_create
from tests.api.conftest import A_HOST, api_client, new_key
from tests.conftest import World, client_for

Grow = Callable[[World, int], None]


def _units(world: World, start: int) -> None:
    for n in range(start, start + 27 if start else 3):
        unit_create(
            mandant=world.a,
            code=f"90.{n}",
            name=f"Einheit 90.{n}",
            kind="sachgebiet",
            parent=world.units["10"],
            by=None,
        )


def _people(world: World, start: int) -> list[User]:
    people = []
    for n in range(start, start + 27 if start else 3):
        user = staff_user_create(mandant=world.a, username=f"p{n}", password=None, by=None)
        membership_grant(user=user, unit=world.units["32.1"], role=Role.SACHBEARBEITUNG, by=None)
        people.append(user)
    return people


def _memberships(world: World, start: int) -> None:
    _people(world, start)


def _vertretungen(world: World, start: int) -> None:
    now = timezone.now()
    for person in _people(world, start):
        Vertretung.objects.create(
            mandant=world.a,
            vertretene_person=person,
            vertretung=world.clerk,
            valid_from=now - timedelta(hours=1),
            valid_until=now + timedelta(days=1),
            created_by=world.admin,
        )


def _events(world: World, start: int) -> None:
    for n in range(start, start + 27 if start else 3):
        audit.record(mandant=world.a, actor=world.admin, action="test.event", object_id=str(n))


def _keys(world: World, start: int) -> None:
    for person in _people(world, start):
        new_key(person)


def _mandanten(world: World, start: int) -> None:
    for n in range(start, start + 27 if start else 3):
        mandant_create(slug=f"m{n}", name=f"M {n}", hosts=[f"m{n}.test", f"x{n}.test"], by=None)


# (url, who asks, how the rows grow from 3 to 30)
CASES: list[tuple[str, str, Grow]] = [
    ("/api/v1/organisationseinheiten", "admin", _units),
    ("/api/v1/memberships", "admin", _memberships),
    ("/api/v1/vertretungen", "dsb", _vertretungen),
    ("/api/v1/audit-events", "dsb", _events),
    ("/api/v1/apikeys", "admin", _keys),
    ("/api/v1/me", "clerk", _vertretungen),  # acting for 3, then 30 persons
    ("/api/v1/platform/mandanten", "operator", _mandanten),
]


def _count(client: Client, url: str) -> tuple[int, int]:
    """(queries, rows in the answer) of one request."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{url}?limit=200")
    assert response.status_code == 200, response.content
    body = response.json()
    return len(queries), len(body["items"] if "items" in body else body["acting_for"])


@pytest.mark.parametrize("url, who, grow", CASES, ids=[case[0] for case in CASES])
def test_list_costs_constant_queries(world: World, url: str, who: str, grow: Grow) -> None:
    user = getattr(world, who)
    client = client_for(user, A_HOST) if user.is_platform_operator else api_client(user)
    grow(world, 0)
    _count(client, url)  # warm up: last_used_at and the session are written once
    few, small = _count(client, url)
    grow(world, 3)
    many, large = _count(client, url)
    assert large - small == 27  # 3 grown to 30: all of them are in the answer
    assert few == many, (few, many)
