"""Vertretungen through the API: arrange, read, end — and who gets 400/403/404."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from amtsfluss.core.models import AuditEvent, Vertretung
from tests.api.conftest import api_client, make_vertretung
from tests.conftest import World


def window(**body: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "valid_from": now.isoformat(),
        "valid_until": (now + timedelta(days=3)).isoformat(),
        "reason": "Urlaub",
        **body,
    }


def test_person_arranges_own_vertretung(world: World) -> None:
    response = api_client(world.other_clerk).post(
        "/api/v1/vertretungen",
        window(vertretene_person_id=world.other_clerk.pk, vertretung_id=world.clerk.pk),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["vertretene_person"]["username"] == "other_clerk"
    assert body["vertretung"]["username"] == "clerk"
    assert body["created_by"]["username"] == "other_clerk"
    row = Vertretung.objects.get(pk=body["id"])
    assert row.reason == "Urlaub"
    assert AuditEvent.objects.filter(action="vertretung.create", object_id=str(row.pk)).exists()


def test_amtsleitung_arranges_for_its_staff(world: World) -> None:
    response = api_client(world.head).post(
        "/api/v1/vertretungen",
        window(vertretene_person_id=world.clerk.pk, vertretung_id=world.other_clerk.pk),
        content_type="application/json",
    )
    assert response.status_code == 201


def test_arranging_for_somebody_else_is_403_with_the_reason(world: World) -> None:
    response = api_client(world.clerk).post(
        "/api/v1/vertretungen",
        window(vertretene_person_id=world.other_clerk.pk, vertretung_id=world.clerk.pk),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json() == {
        "detail": "You may not arrange a Vertretung for this person.",
        "code": "forbidden",
    }
    assert not Vertretung.objects.exists()


def test_inverted_window_is_400(world: World) -> None:
    now = timezone.now()
    response = api_client(world.clerk).post(
        "/api/v1/vertretungen",
        {
            "vertretene_person_id": world.clerk.pk,
            "vertretung_id": world.other_clerk.pk,
            "valid_from": now.isoformat(),
            "valid_until": (now - timedelta(hours=1)).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_person_of_another_mandant_is_an_unknown_person(world: World) -> None:
    response = api_client(world.admin).post(
        "/api/v1/vertretungen",
        window(vertretene_person_id=world.clerk.pk, vertretung_id=world.b_clerk.pk),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"Unknown person: {world.b_clerk.pk}",
        "code": "unknown_person",
    }


def test_naive_times_and_control_characters_are_422(world: World) -> None:
    client = api_client(world.clerk)
    naive = window(
        vertretene_person_id=world.clerk.pk,
        vertretung_id=world.other_clerk.pk,
        valid_from="2030-01-01T08:00:00",
    )
    assert client.post("/api/v1/vertretungen", naive, "application/json").status_code == 422
    nul = window(
        vertretene_person_id=world.clerk.pk, vertretung_id=world.other_clerk.pk, reason="a\x00b"
    )
    assert client.post("/api/v1/vertretungen", nul, "application/json").status_code == 422


def test_list_and_detail_follow_the_policy(world: World) -> None:
    # head deputises for clerk: seen by both, by head (Amtsleitung), DSB and Fachadmin
    row = make_vertretung(
        world, world.clerk, world.head, start=-timedelta(hours=1), end=timedelta(days=1)
    )
    for user in (world.clerk, world.head, world.dsb, world.admin):
        client = api_client(user)
        assert client.get(f"/api/v1/vertretungen/{row.pk}").status_code == 200, user
        assert [r["id"] for r in client.get("/api/v1/vertretungen").json()["items"]] == [row.pk]
    # … but not by a clerk of the neighbouring unit
    other = api_client(world.other_clerk)
    assert other.get(f"/api/v1/vertretungen/{row.pk}").json() == {"detail": "Not found."}
    assert other.get("/api/v1/vertretungen").json()["count"] == 0


def test_current_filter(world: World) -> None:
    now_row = make_vertretung(
        world, world.clerk, world.head, start=-timedelta(hours=1), end=timedelta(hours=1)
    )
    past = make_vertretung(
        world, world.clerk, world.head, start=-timedelta(days=3), end=-timedelta(days=2)
    )
    client = api_client(world.clerk)
    current = client.get("/api/v1/vertretungen?current=true").json()["items"]
    others = client.get("/api/v1/vertretungen?current=false").json()["items"]
    assert [r["id"] for r in current] == [now_row.pk]
    assert [r["id"] for r in others] == [past.pk]


def test_end_by_the_represented_person(world: World) -> None:
    row = make_vertretung(
        world, world.clerk, world.other_clerk, start=-timedelta(hours=1), end=timedelta(days=1)
    )
    response = api_client(world.clerk).post(f"/api/v1/vertretungen/{row.pk}/end")
    assert response.status_code == 200, response.content
    row.refresh_from_db()
    assert row.valid_until <= timezone.now()
    assert response.json()["id"] == row.pk


def test_end_of_a_future_vertretung_cancels_it(world: World) -> None:
    row = make_vertretung(
        world, world.clerk, world.other_clerk, start=timedelta(days=1), end=timedelta(days=2)
    )
    response = api_client(world.clerk).post(f"/api/v1/vertretungen/{row.pk}/end")
    assert response.status_code == 204
    assert not Vertretung.objects.filter(pk=row.pk).exists()


def test_deputy_sees_but_cannot_cancel_it(world: World) -> None:
    # a deputy never arranges or ends the represented person's Vertretungen (not even while
    # acting for them): that would pass the absent person's rights on
    row = make_vertretung(
        world, world.clerk, world.other_clerk, start=timedelta(days=1), end=timedelta(days=2)
    )
    deputy = api_client(world.other_clerk)
    assert deputy.get(f"/api/v1/vertretungen/{row.pk}").status_code == 200
    assert deputy.post(f"/api/v1/vertretungen/{row.pk}/end").status_code == 404
    before = row.valid_until
    row.refresh_from_db()
    assert row.valid_until == before
    denied = AuditEvent.objects.filter(action="core.vertretung.change", outcome="denied")
    assert denied.filter(object_id=str(row.pk), actor_id=world.other_clerk.pk).exists()


def test_end_from_another_unit_is_404(world: World) -> None:
    row = make_vertretung(
        world, world.clerk, world.head, start=-timedelta(hours=1), end=timedelta(days=1)
    )
    response = api_client(world.other_clerk).post(f"/api/v1/vertretungen/{row.pk}/end")
    assert response.status_code == 404
    assert Vertretung.objects.get(pk=row.pk).valid_until == row.valid_until
