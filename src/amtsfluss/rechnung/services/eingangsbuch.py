"""The register's building blocks: Eingangsnummer, routing, duplicates, values from the invoice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from amtsfluss.core.models import Mandant, Organisationseinheit
from amtsfluss.rechnung.invoice.model import Invoice
from amtsfluss.rechnung.models import EingangsnummerZaehler, Leitweg, Rechnung, RechnungStatus
from amtsfluss.rechnung.services.einstellungen import normalize_leitweg_id

CENT = Decimal("0.01")
MONEY_LIMIT = Decimal("1e13")  # fits max_digits=16, decimal_places=2


def _locked_counter(mandant: Mandant, jahr: int) -> EingangsnummerZaehler:
    counter = (
        EingangsnummerZaehler.objects.select_for_update().filter(mandant=mandant, jahr=jahr).first()
    )
    if counter is not None:
        return counter
    try:
        with transaction.atomic():
            EingangsnummerZaehler.objects.create(mandant=mandant, jahr=jahr)
    except IntegrityError:
        pass  # created concurrently; lock that one
    return EingangsnummerZaehler.objects.select_for_update().get(mandant=mandant, jahr=jahr)


def next_eingangsnummer(*, mandant: Mandant, jahr: int) -> str:
    """Issue the next Eingangsnummer of the year, e.g. ``2026-000042``. Inside a transaction.

    The counter row stays locked until the caller commits: intake of one Mandant is serialised
    (which also makes duplicate detection race-free). Numbers are never reused: a rolled-back
    intake releases its number together with its row, and Rechnungen are never deleted.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_eingangsnummer must run inside transaction.atomic()")
    counter = _locked_counter(mandant, jahr)
    counter.letzte += 1
    counter.save(update_fields=["letzte"])
    return f"{jahr}-{counter.letzte:06d}"


def route(mandant: Mandant, buyer_reference: str) -> Organisationseinheit | None:
    """The unit registered for the invoice's Leitweg-ID / BuyerReference (BT-10)."""
    key = normalize_leitweg_id(buyer_reference)
    if not key:
        return None
    row = Leitweg.objects.filter(mandant=mandant, leitweg_id=key).select_related("unit").first()
    return row.unit if row is not None else None


def _seller_key(vat_id: str, name: str) -> tuple[str, str]:
    return "".join(vat_id.split()).upper(), " ".join(name.split()).casefold()


def find_duplicate(
    *, mandant: Mandant, sha256: str, values: dict[str, Any]
) -> tuple[Rechnung | None, str]:
    """An earlier registered Rechnung this one repeats, and why ("" if none).

    Same bytes, or same seller (VAT id, else name) + invoice number + payable amount. Files
    refused by validation never count as originals: a corrected re-sending is welcome.
    """
    earlier = (
        Rechnung.objects.filter(mandant=mandant, ist_dublette=False)
        .exclude(status=RechnungStatus.ABGEWIESEN)
        .order_by("pk")
    )
    same_bytes = earlier.filter(inhalt_sha256=sha256).first()
    if same_bytes is not None:
        return same_bytes, _("same file as Eingangsnummer %s") % same_bytes.eingangsnummer
    number, amount = values.get("rechnungsnummer"), values.get("zahlbetrag")
    if not number or amount is None:
        return None, ""
    vat, name = _seller_key(values.get("verkaeufer_ust_id", ""), values.get("verkaeufer_name", ""))
    for candidate in earlier.filter(rechnungsnummer=number, zahlbetrag=amount):
        other_vat, other_name = _seller_key(candidate.verkaeufer_ust_id, candidate.verkaeufer_name)
        if (vat and vat == other_vat) or (not (vat and other_vat) and name == other_name):
            return candidate, _("same seller, invoice number and amount as Eingangsnummer %s") % (
                candidate.eingangsnummer
            )
    return None, ""


def money(value: Decimal | None) -> Decimal | None:
    """An amount rounded to cents; None for absent or absurd values (a rejected file's)."""
    if value is None:
        return None
    try:
        rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return None
    return rounded if abs(rounded) < MONEY_LIMIT else None


def email_or_blank(*candidates: str) -> str:
    for candidate in candidates:
        try:
            validate_email(candidate)
        except ValidationError:
            continue
        return candidate[:254]
    return ""


@dataclass(frozen=True)
class SkontoTerm:
    bis: Any
    betrag: Decimal | None


def skonto_of(invoice: Invoice) -> SkontoTerm:
    """The first Skonto term: deadline from the issue date, discount amount in cents."""
    if not invoice.payment.skonto:
        return SkontoTerm(None, None)
    term = invoice.payment.skonto[0]
    base = term.base_amount if term.base_amount is not None else invoice.totals.payable
    return SkontoTerm(
        invoice.issue_date + timedelta(days=term.days), money(base * term.percent / 100)
    )


def values_of(invoice: Invoice) -> dict[str, Any]:
    """The register's fields read from the invoice (EN 16931 terms)."""
    seller, payment, totals = invoice.seller, invoice.payment, invoice.totals
    skonto = skonto_of(invoice)
    payee = invoice.payee.name if invoice.payee is not None else ""
    return {
        "verkaeufer_name": seller.name[:300],
        "verkaeufer_ust_id": seller.vat_id[:40],
        "verkaeufer_email": email_or_blank(seller.electronic_address, seller.contact_email),
        "zahlungsempfaenger_name": (payment.account_name or payee or seller.name)[:300],
        "iban": "".join(payment.iban.split()).upper()[:34],
        "bic": "".join(payment.bic.split()).upper()[:11],
        "rechnungsnummer": invoice.number[:200],
        "rechnungsdatum": invoice.issue_date,
        "ist_gutschrift": invoice.is_credit_note,
        "waehrung": invoice.currency[:3],
        "netto": money(totals.net),
        "steuer": money(totals.tax),
        "brutto": money(totals.gross),
        "zahlbetrag": money(totals.payable),
        "faellig_am": payment.due_date,
        "skonto_bis": skonto.bis,
        "skonto_betrag": skonto.betrag,
        "leitweg_id": invoice.buyer_reference[:200],
    }
