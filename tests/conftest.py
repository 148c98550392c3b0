"""Shared fixtures: two Mandanten with small unit trees and users per role.

``world`` gives every test the same picture (see docs/permissions.md, worked examples):

    Mandant A (host a.test)            Mandant B (host b.test)
      I  Dezernat I                      32  Ordnungsamt
      ├─ 32 Ordnungsamt                        └─ b_clerk (Sachbearbeitung)
      │   ├─ 32.1 Gewerbe   ← clerk (Sachbearbeitung)
      │   └─ 32.2 Verkehr   ← other_clerk (Sachbearbeitung)
      │   32 ← head (Amtsleitung)
      ├─ 11 Datenschutz     ← dsb (Datenschutz)
      └─ 10 Hauptamt        ← admin (Fachadministration)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import translation

from amtsfluss.core.models import Mandant, Organisationseinheit, Role, User
from amtsfluss.core.services.mandant import mandant_create
from amtsfluss.core.services.organisation import membership_grant, unit_create
from amtsfluss.core.services.users import platform_operator_create, staff_user_create

pytest_plugins = ["tests.browser", "tests.rulepacks"]

PASSWORD = "correct-horse-battery-staple"


@dataclass
class World:
    a: Mandant
    b: Mandant
    units: dict[str, Organisationseinheit]
    b_units: dict[str, Organisationseinheit]
    clerk: User
    other_clerk: User
    head: User
    dsb: User
    admin: User
    b_clerk: User
    operator: User


def make_user(mandant: Mandant, username: str, unit: Organisationseinheit, role: str) -> User:
    user = staff_user_create(mandant=mandant, username=username, password=PASSWORD, by=None)
    membership_grant(user=user, unit=unit, role=role, by=None)
    return user


@pytest.fixture
def world(db: None) -> World:
    a = mandant_create(slug="a", name="Stadt A", hosts=["a.test"], is_default=True, by=None)
    b = mandant_create(slug="b", name="Gemeinde B", hosts=["b.test"], by=None)
    units: dict[str, Organisationseinheit] = {}
    for code, kind, parent in [
        ("I", "dezernat", None),
        ("32", "fachbereich", "I"),
        ("32.1", "abteilung", "32"),
        ("32.2", "abteilung", "32"),
        ("11", "fachbereich", "I"),
        ("10", "fachbereich", "I"),
    ]:
        units[code] = unit_create(
            mandant=a,
            code=code,
            name=f"Einheit {code}",
            kind=kind,
            parent=units[parent] if parent else None,
            by=None,
        )
    b_units = {
        "32": unit_create(mandant=b, code="32", name="Ordnung B", kind="fachbereich", by=None)
    }
    return World(
        a=a,
        b=b,
        units=units,
        b_units=b_units,
        clerk=make_user(a, "clerk", units["32.1"], Role.SACHBEARBEITUNG),
        other_clerk=make_user(a, "other_clerk", units["32.2"], Role.SACHBEARBEITUNG),
        head=make_user(a, "head", units["32"], Role.AMTSLEITUNG),
        dsb=make_user(a, "dsb", units["11"], Role.DATENSCHUTZ),
        admin=make_user(a, "admin", units["10"], Role.FACHADMINISTRATION),
        b_clerk=make_user(b, "b_clerk", b_units["32"], Role.SACHBEARBEITUNG),
        operator=platform_operator_create(username="operator", password=PASSWORD, by=None),
    )


def client_for(user: User, host: str) -> Client:
    """A browser session of ``user`` on ``host`` that went through the real login form."""
    client = Client(HTTP_HOST=host)
    response = client.post("/anmelden/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client


@pytest.fixture
def english() -> Iterator[None]:
    """Service tests match messages in English (the msgids); pages are tested in German."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def restore_language() -> Iterator[None]:
    """LocaleMiddleware leaves the last request's language active on the thread; put back what
    was active before, so no test depends on the order of the tests before it."""
    before = translation.get_language()
    yield
    translation.activate(before)
