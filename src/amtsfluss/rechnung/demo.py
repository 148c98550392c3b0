"""E-Rechnung demo data for Musterstadt: settings, Leitweg-IDs, an Anordnungsbefugnis, invoices.

Importing this module appends ``create_rechnung_demo`` to ``amtsfluss.core.demo.DEMO_STEPS``
(after the E-Akte's step, whose Aktenplan it files into). The invoices are generated here as
small XRechnung 3.0 UBL documents and received through ``rechnung_receive`` like real ones;
without an installed rule pack they cannot be validated, so only the configuration is made.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from amtsfluss.akte.demo import DEMO_POSITIONS
from amtsfluss.akte.models import Aktenplanposition
from amtsfluss.core.demo import DEMO_STEPS
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import Mandant, Organisationseinheit, User
from amtsfluss.core.permissions import Principal
from amtsfluss.rechnung.services.eingang import rechnung_receive
from amtsfluss.rechnung.services.einstellungen import (
    anordnungsbefugnis_grant,
    einstellungen_update,
    leitweg_set,
)
from amtsfluss.rechnung.services.freigabe import (
    rechnung_rechnerisch_richtig,
    rechnung_sachlich_richtig,
)
from amtsfluss.rechnung.services.xrechnung_ubl import InvoiceSpec, Position, Seller, xrechnung_ubl
from amtsfluss.rechnung.validation.rules import rule_packs

logger = logging.getLogger(__name__)

#: Leitweg-ID (Grobadressierung-Feinadressierung-Prüfziffer) → unit of Musterstadt.
LEITWEGE = {
    "05315000-32100-47": "32.1",
    "05315000-63100-35": "63.1",
    "05315000-40000-16": "40",
    "05315000-20200-51": "20.2",
}

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
)
BYTEWERK = Seller(
    name="Bytewerk IT-Service KG",
    vat_id="DE811234566",
    email="buchhaltung@bytewerk.example",
    street="Serverstraße 12",
    postcode="12347",
    city="Musterstadt",
    contact="Herr Kabel",
    phone="+49 30 7654321",
    iban="DE02120300000000202051",
)
PLANWERK = Seller(
    name="Ingenieurbüro Planwerk",
    vat_id="DE298765431",
    email="info@planwerk.example",
    street="Am Lot 3",
    postcode="12349",
    city="Nachbarstadt",
    contact="Frau Winkel",
    phone="+49 30 5550123",
    iban="DE89370400440532013000",
)


def demo_invoices() -> list[tuple[str, InvoiceSpec]]:
    """(file name, invoice) of the demo; dates relative to today."""
    today = timezone.localdate()

    def spec(
        number: str, leitweg: str, seller: Seller, days_ago: int, *items: Position
    ) -> InvoiceSpec:
        issued = today - timedelta(days=days_ago)
        return InvoiceSpec(
            number=number,
            issue_date=issued,
            buyer_reference=leitweg,
            seller=seller,
            positions=items,
            due_date=issued + timedelta(days=30),
            skonto_days=14,
            skonto_percent=Decimal("2"),
        )

    paper = Position("Kopierpapier A4, 500 Blatt", Decimal("40"), Decimal("4.95"))
    toner = Position("Tonerkartusche schwarz", Decimal("3"), Decimal("89.90"))
    hours = Position("Wartung Fachverfahren (Stunden)", Decimal("6"), Decimal("95.00"), "HUR")
    statik = Position("Prüfstatik Erweiterung Grundschule", Decimal("1"), Decimal("2480.00"))
    return [
        ("feder-2026-0815.xml", spec("FT-2026-0815", "05315000-32100-47", FEDER, 2, paper, toner)),
        ("bytewerk-4711.xml", spec("BW-4711", "05315000-32100-47", BYTEWERK, 9, hours)),
        ("planwerk-118.xml", spec("PW-118", "05315000-63100-35", PLANWERK, 4, statik)),
        ("planwerk-119.xml", spec("PW-119", "05315000-99999-99", PLANWERK, 1, statik)),
    ]


def create_rechnung_demo(mandant: Mandant, users: dict[str, User]) -> None:
    admin = Principal(user=users["fachadministration"], mandant=mandant)
    units = {u.code: u for u in Organisationseinheit.objects.filter(mandant=mandant)}
    position = Aktenplanposition.objects.get(
        mandant=mandant, kennzeichen=DEMO_POSITIONS["eingangsrechnungen"]
    )
    einstellungen_update(
        principal=admin,
        aktenplanposition=position,
        zahlungspflichtiger_name="Stadt Musterstadt Stadtkasse",
        zahlungspflichtiger_iban="DE12500105170648489890",
    )
    for leitweg_id, code in LEITWEGE.items():
        leitweg_set(principal=admin, leitweg_id=leitweg_id, unit=units[code])
    anordnungsbefugnis_grant(
        principal=admin, user=users["amtsleitung"], unit=units["32"], betragsgrenze=Decimal("10000")
    )
    if not rule_packs():
        logger.warning("No e-invoice rule pack installed: the demo has no invoices.")
        return
    received = []
    for name, spec in demo_invoices():
        try:
            received.append(
                rechnung_receive(
                    mandant=mandant,
                    data=xrechnung_ubl(spec),
                    filename=name,
                    channel="mail",
                    provenance={"from": spec.seller.email, "subject": f"Rechnung {spec.number}"},
                )
            )
        except ServiceError:
            logger.exception("demo invoice %s not received", name)
    # a duplicate, and one invoice already half-way through the approval
    rechnung_receive(
        mandant=mandant,
        data=xrechnung_ubl(demo_invoices()[0][1]),
        filename="feder-2026-0815-erneut.xml",
        channel="mail",
        provenance={"from": FEDER.email, "subject": "Erinnerung: Rechnung FT-2026-0815"},
    )
    if len(received) > 1:
        sb = Principal(user=users["sachbearbeitung"], mandant=mandant)
        rp = Principal(user=users["rechnungspruefung"], mandant=mandant)
        rechnung_sachlich_richtig(principal=sb, rechnung=received[1], bemerkung="Wartung erfolgt")
        rechnung_rechnerisch_richtig(principal=rp, rechnung=received[1])


if create_rechnung_demo not in DEMO_STEPS:
    DEMO_STEPS.append(create_rechnung_demo)
