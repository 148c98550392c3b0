"""``GET /me``: person, Mandant, memberships valid now, Vertretungen in force, scopes."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from amtsfluss.core.models import Membership
from tests.api.conftest import api_client, make_vertretung
from tests.conftest import World


def test_me_shows_memberships_and_acting_for(world: World) -> None:
    in_force = make_vertretung(
        world, world.other_clerk, world.clerk, start=-timedelta(hours=1), end=timedelta(hours=1)
    )
    make_vertretung(  # a future one is not "acting for" yet
        world, world.head, world.clerk, start=timedelta(days=1), end=timedelta(days=2)
    )
    body = api_client(world.clerk, scopes=["read", "write"]).get("/api/v1/me").json()
    assert body["user"] == {"id": world.clerk.pk, "username": "clerk", "display_name": "clerk"}
    assert body["mandant"] == {"id": world.a.pk, "slug": "a", "name": "Stadt A"}
    # own memberships only, not those of other_clerk whose rights clerk holds right now
    assert [(m["unit"]["code"], m["role"]) for m in body["memberships"]] == [
        ("32.1", "sachbearbeitung")
    ]
    assert [(a["vertretung_id"], a["person"]["username"]) for a in body["acting_for"]] == [
        (in_force.pk, "other_clerk")
    ]
    assert body["scopes"] == ["read", "write"]


def test_me_leaves_out_expired_memberships(world: World) -> None:
    Membership.objects.filter(user=world.clerk).update(
        valid_until=timezone.now() - timedelta(days=1)
    )
    body = api_client(world.clerk).get("/api/v1/me").json()
    assert body["memberships"] == []
