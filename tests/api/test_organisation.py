"""Organisationseinheiten and memberships: visibility by policy, across units and Mandanten."""

from __future__ import annotations

from amtsfluss.core.models import Membership
from tests.api.conftest import B_HOST, api_client
from tests.conftest import World


def test_units_are_the_whole_chart_of_the_own_mandant(world: World) -> None:
    response = api_client(world.clerk).get("/api/v1/organisationseinheiten")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 6 and (body["limit"], body["offset"]) == (50, 0)
    by_code = {unit["code"]: unit for unit in body["items"]}
    assert sorted(by_code) == ["10", "11", "32", "32.1", "32.2", "I"]
    assert by_code["32.1"]["parent_id"] == world.units["32"].pk
    assert by_code["I"]["parent_id"] is None
    assert by_code["32"]["kind"] == "fachbereich"


def test_units_paginate(world: World) -> None:
    client = api_client(world.clerk)
    first = client.get("/api/v1/organisationseinheiten?limit=4").json()
    rest = client.get("/api/v1/organisationseinheiten?limit=4&offset=4").json()
    assert first["count"] == rest["count"] == 6
    assert len(first["items"]) == 4 and len(rest["items"]) == 2
    codes = [u["code"] for u in first["items"] + rest["items"]]
    assert codes == sorted(codes) and len(set(codes)) == 6
    assert client.get("/api/v1/organisationseinheiten?limit=0").status_code == 422
    assert client.get("/api/v1/organisationseinheiten?limit=201").status_code == 422
    assert client.get("/api/v1/organisationseinheiten?offset=-1").status_code == 422


def test_unit_of_another_unit_is_visible_to_all_staff(world: World) -> None:
    # policy: the organisation chart is visible to all staff of the Mandant
    response = api_client(world.other_clerk).get(
        f"/api/v1/organisationseinheiten/{world.units['32.1'].pk}"
    )
    assert response.status_code == 200
    assert response.json()["code"] == "32.1"


def test_unit_of_another_mandant_is_404(world: World) -> None:
    client = api_client(world.b_clerk, host=B_HOST)
    response = client.get(f"/api/v1/organisationseinheiten/{world.units['32.1'].pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    listed = client.get("/api/v1/organisationseinheiten").json()
    assert [u["name"] for u in listed["items"]] == ["Ordnung B"]


def test_clerk_sees_own_memberships_only(world: World) -> None:
    body = api_client(world.clerk).get("/api/v1/memberships").json()
    assert body["count"] == 1
    [row] = body["items"]
    assert (row["user"]["username"], row["unit"]["code"], row["role"]) == (
        "clerk",
        "32.1",
        "sachbearbeitung",
    )


def test_head_sees_memberships_of_the_units_led(world: World) -> None:
    body = api_client(world.head).get("/api/v1/memberships").json()
    assert {row["user"]["username"] for row in body["items"]} == {
        "clerk",
        "other_clerk",
        "head",
    }


def test_membership_of_another_unit_is_404(world: World) -> None:
    foreign = Membership.objects.get(user=world.other_clerk)
    client = api_client(world.clerk)
    assert client.get(f"/api/v1/memberships/{foreign.pk}").json() == {"detail": "Not found."}
    own = Membership.objects.get(user=world.clerk)
    assert client.get(f"/api/v1/memberships/{own.pk}").json()["id"] == own.pk
    # the head of both units reads it
    assert api_client(world.head).get(f"/api/v1/memberships/{foreign.pk}").status_code == 200
