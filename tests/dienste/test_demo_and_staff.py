"""The demo builds both services after the E-Akte's Aktenplan; staff read the catalogue
through the permission engine (own Mandant only), maintain it by role, and see no drafts."""

from __future__ import annotations

import pytest

from amtsfluss.core.demo import create_demo
from amtsfluss.core.models import User
from amtsfluss.core.permissions import Action, Principal, permitted
from amtsfluss.dienste.models import Entwurf, Leistung
from amtsfluss.dienste.selectors.katalog import current_version, staff_leistungen
from amtsfluss.dienste.services.entwurf import entwurf_create
from tests.dienste.conftest import GEWERBE, URKUNDE

pytestmark = pytest.mark.django_db


def test_demo_has_both_services() -> None:
    mandant = create_demo(hosts=["demo.test"])
    leistungen = {item.leika_schluessel: item for item in Leistung.objects.filter(mandant=mandant)}
    assert set(leistungen) == {URKUNDE, GEWERBE}
    assert leistungen[URKUNDE].zustaendige_oe.code == "34"
    assert leistungen[GEWERBE].aktenplanposition.kennzeichen == "1.2.1"
    assert all(current_version(leistung=item) is not None for item in leistungen.values())


def test_staff_read_and_maintain_by_role(demo: dict[str, Leistung]) -> None:
    users = {user.username: user for user in User.objects.all()}

    def keys(username: str, action: str = Action.VIEW) -> set[str]:
        principal = Principal.for_user(users[username])
        if action == Action.VIEW:
            return set(
                staff_leistungen(principal=principal).values_list("leika_schluessel", flat=True)
            )
        found = permitted(Leistung, principal=principal, action=action)
        return set(found.values_list("leika_schluessel", flat=True))

    assert keys("clerk") == {URKUNDE, GEWERBE}
    assert keys("b_clerk") == set()
    assert keys("admin", Action.CHANGE) == {URKUNDE, GEWERBE}
    assert keys("head", Action.CHANGE) == {GEWERBE}  # Amtsleitung of 32 over 32.1
    assert keys("clerk", Action.CHANGE) == set()
    version = current_version(leistung=demo[URKUNDE])
    assert version is not None
    entwurf_create(version=version)
    for username in ("clerk", "head", "admin", "dsb"):
        principal = Principal.for_user(users[username])
        assert not permitted(Entwurf, principal=principal, action=Action.VIEW).exists()
