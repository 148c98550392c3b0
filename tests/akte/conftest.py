"""E-Akte fixtures on top of ``world``: a small Aktenplan and Akten of each confidentiality.

Aktenplan of Mandant A            Akten
  10        Allgemeines             offen_32_1   (32.1, offen)        at 10.38.50
  10.38     Ordnung                 vertr_32_1   (32.1, vertraulich)  at 10.38.50
  10.38.50  Gewerbeanzeigen (leaf)  streng_32_1  (32.1, streng v.)    at 10.38.50
  10.38.60  Gaststätten (leaf)      offen_32_2   (32.2, offen)        at 10.38.60
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from amtsfluss.akte.models import Akte, Aktenplanposition, Vertraulichkeit
from amtsfluss.akte.services.akte import check_akte_create
from amtsfluss.akte.services.aktenplan import position_create
from amtsfluss.core.models import User
from amtsfluss.core.permissions import Principal
from tests.conftest import World


@dataclass
class AkteWorld:
    w: World
    positions: dict[str, Aktenplanposition]
    offen_32_1: Akte
    vertr_32_1: Akte
    streng_32_1: Akte
    offen_32_2: Akte


def as_(user: User) -> Principal:
    return Principal.for_user(user)


@pytest.fixture(autouse=True)
def _english(english: None) -> None:
    """E-Akte service tests match the English msgids."""


@pytest.fixture
def akten(world: World) -> AkteWorld:
    positions = {}
    for kennzeichen, titel, jahre in [
        ("10", "Allgemeine Verwaltung", None),
        ("10.38", "Ordnungsangelegenheiten", None),
        ("10.38.50", "Gewerbeanzeigen", 10),
        ("10.38.60", "Gaststättenerlaubnisse", 6),
    ]:
        positions[kennzeichen] = position_create(
            mandant=world.a,
            kennzeichen=kennzeichen,
            titel=titel,
            aufbewahrung_jahre=jahre,
            archivwuerdigkeit="B" if jahre else "",
            federfuehrende_oe=world.units["32"],
            by=None,
        )

    def create(user: User, kennzeichen: str, unit: str, level: str) -> Akte:
        return check_akte_create(
            principal=as_(user),
            position=positions[kennzeichen],
            titel=f"{level} {unit}",
            federfuehrende_oe=world.units[unit],
            vertraulichkeit=level,
        )

    return AkteWorld(
        w=world,
        positions=positions,
        offen_32_1=create(world.clerk, "10.38.50", "32.1", Vertraulichkeit.OFFEN),
        vertr_32_1=create(world.clerk, "10.38.50", "32.1", Vertraulichkeit.VERTRAULICH),
        streng_32_1=create(world.clerk, "10.38.50", "32.1", Vertraulichkeit.STRENG_VERTRAULICH),
        offen_32_2=create(world.other_clerk, "10.38.60", "32.2", Vertraulichkeit.OFFEN),
    )
