"""``apikey_create``/``apikey_revoke``: what is stored, what is refused, what is audited."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import ApiKey, AuditEvent
from amtsfluss.core.services.apikeys import apikey_create, apikey_revoke
from tests.conftest import World


def test_only_the_hash_is_stored_and_the_audit_names_no_secret(world: World) -> None:
    key, token = apikey_create(
        mandant=world.a, user=world.clerk, name="DMS", scopes=["write", "read"], by=world.admin
    )
    mark, prefix, secret = token.split("_", 2)
    assert (mark, prefix) == ("afk", key.prefix)
    assert len(secret) >= 43  # 256 random bits
    assert key.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert key.scopes == ["read", "write"]
    event = AuditEvent.objects.get(action="apikey.create")
    assert (event.actor_id, event.object_id, event.details["prefix"]) == (
        world.admin.pk,
        str(key.pk),
        prefix,
    )
    assert secret not in str(event.details) and key.secret_hash not in str(event.details)


def test_keys_are_distinct(world: World) -> None:
    tokens = {
        apikey_create(mandant=world.a, user=world.clerk, name="k", scopes=["read"], by=None)[1]
        for _ in range(5)
    }
    assert len(tokens) == 5
    assert ApiKey.objects.values("prefix").distinct().count() == 5


@pytest.mark.parametrize(
    "change",
    [
        {"scopes": []},
        {"scopes": ["read", "admin"]},
        {"name": ""},
        {"name": "x" * 101},
        {"expires_at": "past"},
        {"user": "b_clerk"},
        {"user": "inactive"},
    ],
)
def test_refused(world: World, change: dict[str, object]) -> None:
    options: dict[str, object] = {"name": "k", "scopes": ["read"], "expires_at": None}
    options.update(change)
    user = world.clerk
    if change.get("user") == "b_clerk":
        user = world.b_clerk
    elif change.get("user") == "inactive":
        user.is_active = False
        user.save(update_fields=["is_active"])
    if options["expires_at"] == "past":
        options["expires_at"] = timezone.now() - timedelta(minutes=1)
    with pytest.raises(ServiceError):
        apikey_create(
            mandant=world.a,
            user=user,
            name=options["name"],  # type: ignore[arg-type]
            scopes=options["scopes"],  # type: ignore[arg-type]
            expires_at=options["expires_at"],  # type: ignore[arg-type]
            by=None,
        )
    assert not ApiKey.objects.exists()


def test_revoke_is_idempotent_and_audited_once(world: World) -> None:
    key, _ = apikey_create(mandant=world.a, user=world.clerk, name="k", scopes=["read"], by=None)
    apikey_revoke(key=key, by=world.admin)
    first = key.revoked_at
    apikey_revoke(key=ApiKey.objects.get(pk=key.pk), by=world.admin)
    assert ApiKey.objects.get(pk=key.pk).revoked_at == first
    assert AuditEvent.objects.filter(action="apikey.revoke").count() == 1
