"""API keys through the API: own keys, all for Fachadministration, revoke; never the secret."""

from __future__ import annotations

from amtsfluss.core.models import ApiKey, User
from tests.api.conftest import B_HOST, api_client, key_client, new_key
from tests.conftest import World


def test_own_keys_only_and_never_a_secret(world: World) -> None:
    own, own_token = new_key(world.clerk, name="Fachverfahren")
    other, _ = new_key(world.other_clerk)
    response = key_client(own_token).get("/api/v1/apikeys")
    body = response.json()
    assert body["count"] == 1
    [row] = body["items"]
    assert (row["id"], row["prefix"], row["name"], row["user"]["username"]) == (
        own.pk,
        own.prefix,
        "Fachverfahren",
        "clerk",
    )
    assert "secret_hash" not in row
    content = response.content.decode()
    assert own.secret_hash not in content and own_token.split("_", 2)[2] not in content
    assert key_client(own_token).get(f"/api/v1/apikeys/{other.pk}").status_code == 404


def test_fachadministration_sees_all_keys_of_the_mandant(world: World) -> None:
    new_key(world.clerk)
    new_key(world.other_clerk)
    new_key(world.b_clerk)
    body = api_client(world.admin).get("/api/v1/apikeys").json()
    # clerk's, other_clerk's and the admin's own key of this request
    assert body["count"] == 3
    assert {row["user"]["username"] for row in body["items"]} == {"clerk", "other_clerk", "admin"}


def test_fachadministration_revokes_and_the_key_stops_working(world: World) -> None:
    key, token = new_key(world.clerk)
    response = api_client(world.admin).post(f"/api/v1/apikeys/{key.pk}/revoke")
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert key_client(token).get("/api/v1/me").status_code == 401
    again = api_client(world.admin).post(f"/api/v1/apikeys/{key.pk}/revoke")
    assert again.json()["revoked_at"] == response.json()["revoked_at"]


def test_owner_revokes_own_key_but_not_a_colleagues(world: World) -> None:
    colleague_key, _ = new_key(world.other_clerk)
    key, token = new_key(world.clerk)
    client = key_client(token)
    assert client.post(f"/api/v1/apikeys/{colleague_key.pk}/revoke").status_code == 404
    colleague_key.refresh_from_db()
    assert colleague_key.revoked_at is None
    assert client.post(f"/api/v1/apikeys/{key.pk}/revoke").status_code == 200
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert client.get("/api/v1/me").status_code == 401  # the key revoked itself


def test_key_of_another_unit_is_404(world: World) -> None:
    key, _ = new_key(world.other_clerk)
    client = api_client(world.clerk)
    assert client.get(f"/api/v1/apikeys/{key.pk}").json() == {"detail": "Not found."}
    assert client.post(f"/api/v1/apikeys/{key.pk}/revoke").status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None


def test_fachadministration_of_another_mandant_cannot_touch_a_key(
    world: World, b_boss: User
) -> None:
    key, token = new_key(world.clerk, name="Geheimes Fachverfahren")
    client = api_client(b_boss, host=B_HOST)
    for response in (
        client.get(f"/api/v1/apikeys/{key.pk}"),
        client.post(f"/api/v1/apikeys/{key.pk}/revoke"),
    ):
        assert response.status_code == 404
        assert "Geheimes" not in response.content.decode()
    assert "Geheimes" not in client.get("/api/v1/apikeys").content.decode()
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None
    assert key_client(token).get("/api/v1/me").status_code == 200
