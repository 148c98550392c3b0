"""Online-service fixtures on top of ``world``: Aktenplan positions and units for the demo
catalogue in Mandant A (and a small Aktenplan in B), and the demo catalogue itself.

Mandant A: units 32.1 (world) and 34 Standesamt (added); positions 1 › 1.2 › 1.2.1
Gewerbeanzeigen (leaf, 32.1) and 1 › 1.6 › 1.6.5 Personenstandsurkunden (leaf, 34).
Mandant B: unit 32 (world), positions 1 › 1.2 › 1.2.1.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

import pytest

from amtsfluss.akte.models import Aktenplanposition
from amtsfluss.akte.services.aktenplan import position_create
from amtsfluss.core.services.organisation import unit_create
from amtsfluss.dienste.demo import katalog_bytes
from amtsfluss.dienste.models import Leistung
from amtsfluss.dienste.services.katalog_io import katalog_import
from tests.conftest import World

URKUNDE = "99102013104000"
GEWERBE = "99050012104000"


@dataclass
class Katalog:
    w: World
    positions: dict[str, Aktenplanposition]
    b_positions: dict[str, Aktenplanposition]


def demo_document() -> dict[str, Any]:
    return copy.deepcopy(json.loads(katalog_bytes()))


def as_bytes(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


@pytest.fixture
def katalog(world: World) -> Katalog:
    world.units["34"] = unit_create(
        mandant=world.a, code="34", name="Standesamt", kind="fachbereich", by=None
    )
    positions: dict[str, Aktenplanposition] = {}
    for kennzeichen, unit in [
        ("1", "32"),
        ("1.2", "32"),
        ("1.2.1", "32.1"),
        ("1.6", "34"),
        ("1.6.5", "34"),
    ]:
        positions[kennzeichen] = position_create(
            mandant=world.a,
            kennzeichen=kennzeichen,
            titel=f"Position {kennzeichen}",
            aufbewahrung_jahre=10 if kennzeichen.count(".") == 2 else None,
            federfuehrende_oe=world.units[unit],
            by=None,
        )
    b_positions = {
        k: position_create(mandant=world.b, kennzeichen=k, titel=f"B {k}", by=None)
        for k in ("1", "1.2", "1.2.1")
    }
    return Katalog(world, positions, b_positions)


@pytest.fixture
def demo(katalog: Katalog) -> dict[str, Leistung]:
    katalog_import(mandant=katalog.w.a, data=katalog_bytes(), by=None)
    return {leistung.leika_schluessel: leistung for leistung in Leistung.objects.all()}
