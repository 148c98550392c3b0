"""Online-service demo data for Musterstadt: the catalogue with two complete services.

Importing this module appends ``create_dienste_demo`` to ``amtsfluss.core.demo.DEMO_STEPS``
after the E-Akte step, whose Aktenplan the services file into (it imports ``akte.demo`` first,
so the order holds whoever imports this module first).
The catalogue is imported from ``data/leistungen_musterstadt.json`` through the same service
as ``amtsfluss dienste import``, as the demo's Fachadministration.
"""

from __future__ import annotations

from importlib import resources

from amtsfluss.akte import demo as akte_demo
from amtsfluss.core.demo import DEMO_STEPS
from amtsfluss.core.models import Mandant, User
from amtsfluss.dienste.services.katalog_io import katalog_import

KATALOG_FILE = "leistungen_musterstadt.json"


def katalog_bytes() -> bytes:
    return resources.files("amtsfluss.dienste.data").joinpath(KATALOG_FILE).read_bytes()


def create_dienste_demo(mandant: Mandant, users: dict[str, User]) -> None:
    katalog_import(mandant=mandant, data=katalog_bytes(), by=users.get("fachadministration"))


if create_dienste_demo not in DEMO_STEPS:
    DEMO_STEPS.insert(DEMO_STEPS.index(akte_demo.create_akte_demo) + 1, create_dienste_demo)
