"""Fixtures for the Rechnungseingangsbuch tests, on top of ``world`` (tests/conftest.py).

    Mandant A                                added here
      I  Dezernat I                            14 Rechnungsprüfungsamt ← pruefer (Rechnungsprüfung)
      ├─ 32 Ordnungsamt   ← head (Amtsleitung; 20 Stadtkasse ← kasse (Kasse)
      │                     Anordnungsbefugnis 32, ≤ 5 000 €)
      │   ├─ 32.1 ← clerk, clerk2 (Sachbearbeitung)   Leitweg 04011000-12345-03 → 32.1
      │   └─ 32.2 ← other_clerk                       Leitweg 04011000-22222-07 → 32.2
      ├─ 11 ← dsb   10 ← admin (Fachadministration)
    Aktenplan 20 Finanzen / 20.30 Eingangsrechnungen (leaf) — the settings' position.

A test module imports ``rechnung_world`` (``# noqa: F401``) and asks for the fixture ``rw``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from amtsfluss.akte.services.aktenplan import position_create
from amtsfluss.core.models import Organisationseinheit, Role, User
from amtsfluss.core.permissions import Principal
from amtsfluss.core.services.organisation import unit_create
from amtsfluss.rechnung.models import Anordnungsbefugnis, Rechnung
from amtsfluss.rechnung.services.eingang import rechnung_receive
from amtsfluss.rechnung.services.einstellungen import (
    anordnungsbefugnis_grant,
    einstellungen_update,
    leitweg_set,
)
from amtsfluss.rechnung.services.xrechnung_ubl import InvoiceSpec, Position, Seller, xrechnung_ubl
from amtsfluss.rechnung.validation.registry import Registry
from tests.conftest import World, make_user

__all__ = [
    "FEDER",
    "LEITWEG_32_1",
    "LEITWEG_32_2",
    "RechnungWorld",
    "as_",
    "invoice",
    "rechnung_world",
]

LEITWEG_32_1 = "04011000-12345-03"
LEITWEG_32_2 = "04011000-22222-07"

FEDER = Seller(
    name="Bürobedarf Feder & Tinte GmbH",
    vat_id="DE123456789",
    email="rechnung@feder-tinte.example",
    street="Papierweg 4",
    postcode="12345",
    city="Musterstadt",
    contact="Frau Klee",
    phone="+49 30 1234567",
    iban="DE75512108001245126199",
    bic="SOGEDEFFXXX",
)


def as_(user: User) -> Principal:
    return Principal.for_user(user)


def invoice(
    number: str = "R-2026-0815",
    *,
    leitweg: str = LEITWEG_32_1,
    seller: Seller = FEDER,
    quantity: str = "20",
    price: str = "4.95",
    due_in_days: int | None = 30,
    skonto_days: int | None = 14,
    issued_days_ago: int = 0,
) -> bytes:
    """A valid XRechnung 3.0 UBL invoice: net = quantity × price, 19 % VAT."""
    issued = timezone.localdate() - timedelta(days=issued_days_ago)
    spec = InvoiceSpec(
        number=number,
        issue_date=issued,
        buyer_reference=leitweg,
        seller=seller,
        positions=(Position("Kopierpapier A4, 500 Blatt", Decimal(quantity), Decimal(price)),),
        due_date=issued + timedelta(days=due_in_days) if due_in_days is not None else None,
        skonto_days=skonto_days,
        skonto_percent=Decimal("2") if skonto_days is not None else None,
    )
    return xrechnung_ubl(spec)


@dataclass
class RechnungWorld:
    w: World
    pruefer: User
    kasse: User
    clerk2: User
    units: dict[str, Organisationseinheit]
    befugnis: Anordnungsbefugnis

    def receive(self, data: bytes, name: str = "rechnung.xml", **kwargs: object) -> Rechnung:
        options: dict[str, object] = {
            "channel": "mail",
            "provenance": {"from": "rechnung@feder-tinte.example"},
        }
        options.update(kwargs)
        return rechnung_receive(mandant=self.w.a, data=data, filename=name, **options)  # type: ignore[arg-type]


@pytest.fixture(name="rw")
def rechnung_world(world: World, registry: Registry, english: None) -> RechnungWorld:
    units = dict(world.units)
    for code, name in [("14", "Rechnungsprüfungsamt"), ("20", "Stadtkasse")]:
        units[code] = unit_create(
            mandant=world.a, code=code, name=name, kind="fachbereich", parent=units["I"], by=None
        )
    pruefer = make_user(world.a, "pruefer", units["14"], Role.RECHNUNGSPRUEFUNG)
    kasse = make_user(world.a, "kasse", units["20"], Role.KASSE)
    clerk2 = make_user(world.a, "clerk2", units["32.1"], Role.SACHBEARBEITUNG)
    position_create(mandant=world.a, kennzeichen="20", titel="Finanzen", by=None)
    leaf = position_create(
        mandant=world.a,
        kennzeichen="20.30",
        titel="Eingangsrechnungen",
        aufbewahrung_jahre=10,
        archivwuerdigkeit="V",
        by=None,
    )
    admin = as_(world.admin)
    einstellungen_update(
        principal=admin,
        aktenplanposition=leaf,
        zahlungspflichtiger_name="Stadt A Stadtkasse",
        zahlungspflichtiger_iban="DE02120300000000202051",
        zahlungspflichtiger_bic="BYLADEM1001",
    )
    leitweg_set(principal=admin, leitweg_id=LEITWEG_32_1, unit=units["32.1"])
    leitweg_set(principal=admin, leitweg_id=LEITWEG_32_2, unit=units["32.2"])
    befugnis = anordnungsbefugnis_grant(
        principal=admin, user=world.head, unit=units["32"], betragsgrenze=Decimal("5000")
    )
    return RechnungWorld(
        w=world, pruefer=pruefer, kasse=kasse, clerk2=clerk2, units=units, befugnis=befugnis
    )


def today() -> date:
    return timezone.localdate()
