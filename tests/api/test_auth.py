"""Authentication: API keys (valid, wrong, revoked, expired, foreign Mandant) and sessions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from amtsfluss.core.models import ApiKey, AuditEvent, Mandant
from amtsfluss.core.services.apikeys import apikey_revoke
from tests.api.conftest import A_HOST, B_HOST, key_client, new_key
from tests.conftest import PASSWORD, World, client_for


def rejections(mandant: Mandant) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(mandant=mandant, action="apikey.rejected").order_by("seq")
    )


def assert_unauthorized(response: Any) -> None:
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication required."}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_valid_key_authenticates_as_its_person(world: World) -> None:
    key, token = new_key(world.clerk, scopes=["read"])
    response = key_client(token).get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["username"] == "clerk"
    assert body["mandant"]["slug"] == "a"
    assert body["scopes"] == ["read"]
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_wrong_secret_is_401_and_audited_without_the_secret(world: World) -> None:
    key, token = new_key(world.clerk)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert_unauthorized(key_client(forged).get("/api/v1/me"))
    [event] = rejections(world.a)
    assert event.outcome == "denied"
    assert event.details == {"reason": "wrong_secret", "prefix": key.prefix}
    secret = token.split("_", 2)[2]
    stored = " ".join(str(getattr(event, f.name)) for f in AuditEvent._meta.fields)
    assert secret not in stored and forged.split("_", 2)[2] not in stored


@pytest.mark.parametrize(
    "token, reason",
    [
        ("not-a-key", "malformed"),
        ("afk_0123456789abcdef_" + "x" * 43, "unknown"),
    ],
)
def test_malformed_or_unknown_key_is_401_and_audited(world: World, token: str, reason: str) -> None:
    assert_unauthorized(key_client(token).get("/api/v1/me"))
    [event] = rejections(world.a)
    assert event.details["reason"] == reason
    assert "x" * 43 not in str(event.details)


def test_revoked_key_is_401(world: World) -> None:
    key, token = new_key(world.clerk)
    client = key_client(token)
    assert client.get("/api/v1/me").status_code == 200
    apikey_revoke(key=key, by=world.admin)
    assert_unauthorized(client.get("/api/v1/me"))
    assert rejections(world.a)[-1].details["reason"] == "revoked"


def test_expired_key_is_401(world: World) -> None:
    key, token = new_key(world.clerk, expires_at=timezone.now() + timedelta(days=1))
    assert key_client(token).get("/api/v1/me").status_code == 200
    ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_unauthorized(key_client(token).get("/api/v1/me"))
    assert rejections(world.a)[-1].details["reason"] == "expired"


def test_key_of_mandant_a_is_refused_on_host_of_mandant_b(world: World) -> None:
    _key, token = new_key(world.admin)
    response = key_client(token, host=B_HOST).get("/api/v1/organisationseinheiten")
    assert_unauthorized(response)
    assert "Einheit" not in response.content.decode()
    # recorded where it was tried, without naming A's object there
    [event] = rejections(world.b)
    assert event.details["reason"] == "wrong_mandant"
    assert event.object_id == ""
    assert rejections(world.a) == []


def test_key_of_inactive_person_is_401(world: World) -> None:
    _key, token = new_key(world.clerk)
    world.clerk.is_active = False
    world.clerk.save(update_fields=["is_active"])
    assert_unauthorized(key_client(token).get("/api/v1/me"))
    assert rejections(world.a)[-1].details["reason"] == "user_inactive"


def test_no_credentials_is_401(world: World) -> None:
    assert_unauthorized(Client(HTTP_HOST=A_HOST).get("/api/v1/me"))


def test_last_used_is_written_at_most_once_a_minute(world: World) -> None:
    key, token = new_key(world.clerk)
    client = key_client(token)
    client.get("/api/v1/me")
    key.refresh_from_db()
    first = key.last_used_at
    assert first is not None
    client.get("/api/v1/me")
    key.refresh_from_db()
    assert key.last_used_at == first
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get("/api/v1/me")
    key.refresh_from_db()
    assert key.last_used_at is not None and key.last_used_at > first


def test_invalid_key_does_not_fall_back_to_the_session(world: World) -> None:
    client = client_for(world.clerk, A_HOST)
    assert client.get("/api/v1/me").status_code == 200
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer afk_nonsense")
    assert_unauthorized(response)


def test_session_authenticates_staff(world: World) -> None:
    response = client_for(world.head, A_HOST).get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["username"] == "head"
    assert body["scopes"] is None
    assert [(m["unit"]["code"], m["role"]) for m in body["memberships"]] == [("32", "amtsleitung")]


def test_session_post_needs_the_csrf_token(world: World) -> None:
    client = Client(HTTP_HOST=A_HOST, enforce_csrf_checks=True)
    page = client.get("/anmelden/")
    token = page.cookies[settings.CSRF_COOKIE_NAME].value
    logged_in = client.post(
        "/anmelden/",
        {"username": "admin", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert logged_in.status_code == 302
    key, _token = new_key(world.clerk)
    url = f"/api/v1/apikeys/{key.pk}/revoke"

    refused = client.post(url)
    assert refused.status_code == 403
    assert refused.json() == {"detail": "CSRF check failed."}
    key.refresh_from_db()
    assert key.revoked_at is None

    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    accepted = client.post(url, HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200, accepted.content
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_platform_operator_session_is_nobody_in_a_mandant(world: World) -> None:
    client = client_for(world.operator, A_HOST)
    assert_unauthorized(client.get("/api/v1/me"))
    assert_unauthorized(client.get("/api/v1/organisationseinheiten"))


def test_answers_follow_accept_language(world: World) -> None:
    client = Client(HTTP_HOST=A_HOST)
    english = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    german = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="de").json()["detail"]
    assert english == "Authentication required."
    assert german and german != english
