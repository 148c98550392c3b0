"""A read-scope key changes nothing.

Design: authorization stays in the engine and the services, so a read key meets the same
answers as a person without the right: changing an existing object (end a Vertretung, revoke a
key) is 404 — for a read key the object does not exist *for changing*, exactly as ``access()``
answers every refused action — and creating is refused by the service with 403 and its reason.
Reads work as for a session.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from amtsfluss.core.models import ApiKey, Vertretung
from tests.api.conftest import api_client, make_vertretung, new_key
from tests.conftest import World


def test_read_key_reads(world: World) -> None:
    client = api_client(world.admin, scopes=["read"])
    assert client.get("/api/v1/organisationseinheiten").json()["count"] == 6
    assert client.get("/api/v1/apikeys").status_code == 200


def test_read_key_cannot_create_a_vertretung(world: World) -> None:
    now = timezone.now()
    response = api_client(world.admin, scopes=["read"]).post(
        "/api/v1/vertretungen",
        {
            "vertretene_person_id": world.clerk.pk,
            "vertretung_id": world.other_clerk.pk,
            "valid_from": now.isoformat(),
            "valid_until": (now + timedelta(days=1)).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "This key may not change anything.", "code": "forbidden"}
    assert not Vertretung.objects.exists()


def test_read_key_cannot_end_a_vertretung(world: World) -> None:
    row = make_vertretung(
        world, world.clerk, world.other_clerk, start=-timedelta(hours=1), end=timedelta(days=1)
    )
    client = api_client(world.admin, scopes=["read"])
    assert client.get(f"/api/v1/vertretungen/{row.pk}").status_code == 200
    assert client.post(f"/api/v1/vertretungen/{row.pk}/end").status_code == 404
    assert Vertretung.objects.get(pk=row.pk).valid_until == row.valid_until
    # the same person with a write key may
    assert api_client(world.admin).post(f"/api/v1/vertretungen/{row.pk}/end").status_code == 200


def test_read_key_cannot_revoke(world: World) -> None:
    key, _ = new_key(world.clerk)
    client = api_client(world.admin, scopes=["read"])
    assert client.get(f"/api/v1/apikeys/{key.pk}").status_code == 200
    assert client.post(f"/api/v1/apikeys/{key.pk}/revoke").status_code == 404
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None
