"""API test helpers: keys, clients on a Mandant's host name, and a few more people.

Mandant B of the shared ``world`` only has a clerk; the cross-Mandant tests ask with the most
privileged person of B (``b_boss``: Fachadministration *and* Datenschutz), so that a 404 is
certainly the Mandant barrier and not a missing role.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation
from pytest_django import Settings

from amtsfluss.core.models import ApiKey, Role, User, Vertretung
from amtsfluss.core.services.apikeys import apikey_create
from amtsfluss.core.services.organisation import membership_grant
from tests.conftest import World, make_user

A_HOST = "a.test"
B_HOST = "b.test"


@pytest.fixture(autouse=True)
def _api_settings(settings: Settings) -> Iterator[None]:
    """The test Mandanten's host names (settings/test.py does not list them), and English.

    The API speaks the language the client asks for (``Accept-Language``), German by default;
    these tests compare the English message ids, so that a revised German wording breaks none.
    """
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, A_HOST, B_HOST]
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def new_key(
    user: User,
    *,
    scopes: Iterable[str] = ("read", "write"),
    expires_at: datetime | None = None,
    name: str = "test",
) -> tuple[ApiKey, str]:
    if user.mandant is None:
        raise ValueError("operators have no keys")
    return apikey_create(
        mandant=user.mandant,
        user=user,
        name=name,
        scopes=list(scopes),
        expires_at=expires_at,
        by=None,
    )


def key_client(token: str, host: str = A_HOST) -> Client:
    """A machine client sending ``token`` as bearer to ``host``."""
    return Client(HTTP_HOST=host, HTTP_AUTHORIZATION=f"Bearer {token}")


def api_client(user: User, host: str = A_HOST, **key_options: Any) -> Client:
    """A machine client with a fresh read/write key of ``user``."""
    return key_client(new_key(user, **key_options)[1], host)


def make_vertretung(
    world: World, absent: User, deputy: User, *, start: timedelta, end: timedelta
) -> Vertretung:
    """A Vertretung in Mandant A from now + ``start`` until now + ``end``."""
    now = timezone.now()
    return Vertretung.objects.create(
        mandant=world.a,
        vertretene_person=absent,
        vertretung=deputy,
        valid_from=now + start,
        valid_until=now + end,
        reason="Urlaub",
        created_by=absent,
    )


@pytest.fixture
def b_boss(world: World) -> User:
    """Fachadministration and Datenschutz of Mandant B."""
    user = make_user(world.b, "b_boss", world.b_units["32"], Role.FACHADMINISTRATION)
    membership_grant(user=user, unit=world.b_units["32"], role=Role.DATENSCHUTZ, by=None)
    return user
