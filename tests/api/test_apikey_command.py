"""``amtsfluss apikey``: create prints a working key (and only it), list, revoke, clear errors."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from amtsfluss.core.models import ApiKey
from tests.api.conftest import B_HOST, key_client
from tests.conftest import World


def run(*args: str) -> str:
    out = StringIO()
    call_command("apikey", *args, stdout=out)
    return out.getvalue()


def test_create_prints_only_a_working_key(world: World) -> None:
    out = run("create", "--mandant", "a", "--user", "admin", "--name", "DMS", "--scope", "read")
    token = out.strip()
    assert out == token + "\n" and token.startswith("afk_")
    response = key_client(token).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "admin"
    assert response.json()["scopes"] == ["read"]
    key = ApiKey.objects.get()
    assert (key.name, key.scopes, key.expires_at) == ("DMS", ["read"], None)
    assert token.split("_", 2)[2] not in key.secret_hash
    # a key of A is nothing on B's host
    assert key_client(token, host=B_HOST).get("/api/v1/me").status_code == 401


def test_create_with_both_scopes_and_expiry(world: World) -> None:
    run("create", "--mandant", "a", "--user", "clerk", "--scope", "read", "--scope", "write")
    run("create", "--mandant", "a", "--user", "clerk", "--expires-days", "30")
    first, second = ApiKey.objects.order_by("pk")
    assert first.scopes == ["read", "write"] and first.expires_at is None
    assert second.scopes == ["read"] and second.expires_at is not None


@pytest.mark.parametrize(
    "args, message",
    [
        (["--mandant", "nope", "--user", "admin"], "Unknown Mandant 'nope'"),
        (["--mandant", "a", "--user", "nobody"], "Unknown user 'nobody'"),
        (["--mandant", "a", "--user", "b_clerk"], "is no staff of Mandant 'a'"),
        (["--mandant", "a", "--user", "operator"], "is no staff of Mandant 'a'"),
        (["--mandant", "a", "--user", "admin", "--expires-days", "0"], "at least 1"),
        (["--mandant", "a", "--user", "admin", "--name", " "], "needs a name"),
    ],
)
def test_create_refuses_clearly(world: World, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("create", *args)
    assert not ApiKey.objects.exists()


def test_list_and_revoke(world: World) -> None:
    token = run("create", "--mandant", "a", "--user", "admin", "--name", "DMS").strip()
    prefix = token.split("_")[1]
    listing = run("list", "--mandant", "a")
    assert prefix in listing and "DMS" in listing and "active" in listing
    assert token.split("_", 2)[2] not in listing
    assert run("list", "--mandant", "b").count("\n") == 1  # the header only
    assert f"revoked {prefix}" in run("revoke", prefix)
    assert "revoked" in run("list", "--mandant", "a")
    assert key_client(token).get("/api/v1/me").status_code == 401
    with pytest.raises(CommandError, match="Unknown key prefix"):
        run("revoke", "0000000000000000")
    with pytest.raises(CommandError, match="Unknown Mandant"):
        run("list", "--mandant", "nope")
