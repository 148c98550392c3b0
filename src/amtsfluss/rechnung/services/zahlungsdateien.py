"""The files of a Zahlungslauf: SEPA credit transfer (pain.001) and CSV for the finance software.

CSV: semicolon-separated, UTF-8 with BOM, German decimal comma, dates ``TT.MM.JJJJ``; columns
``CSV_COLUMNS`` (documented in docs/design/rechnung-workflow.md).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from sepaxml import SepaTransfer  # type: ignore[import-untyped]
from sepaxml.validation import (  # type: ignore[import-untyped]
    ValidationError as SepaValidationError,
)

from amtsfluss.core.errors import ServiceError
from amtsfluss.rechnung.models import Rechnung

PAIN_SCHEMA = "pain.001.001.09"
CSV_COLUMNS = [
    "Eingangsnummer",
    "Rechnungsnummer",
    "Rechnungsdatum",
    "Kreditor",
    "USt-IdNr",
    "IBAN",
    "BIC",
    "Rechnungsbetrag",
    "Skonto",
    "Zahlbetrag",
    "Waehrung",
    "Faelligkeit",
    "Ausfuehrungsdatum",
    "Leitweg-ID",
    "Organisationseinheit",
    "Verwendungszweck",
]


@dataclass(frozen=True)
class Zahlung:
    """One payment: the invoice, the creditor's checked account, the amount after Skonto."""

    rechnung: Rechnung
    iban: str
    bic: str
    betrag: Decimal
    skonto: Decimal

    @property
    def verwendungszweck(self) -> str:
        return self.rechnung.rechnungsnummer


@dataclass(frozen=True)
class Auftraggeber:
    name: str
    iban: str
    bic: str


def pain001(*, auftraggeber: Auftraggeber, zahlungen: list[Zahlung], ausfuehrung: date) -> bytes:
    """A pain.001 credit transfer file, validated against the ISO 20022 XSD by sepaxml."""
    config: dict[str, object] = {
        "name": auftraggeber.name,
        "IBAN": auftraggeber.iban,
        "batch": True,
        "currency": "EUR",
    }
    if auftraggeber.bic:
        config["BIC"] = auftraggeber.bic
    transfer = SepaTransfer(config, schema=PAIN_SCHEMA, clean=True)
    for zahlung in zahlungen:
        payment: dict[str, object] = {
            "name": zahlung.rechnung.zahlungsempfaenger_name or zahlung.rechnung.verkaeufer_name,
            "IBAN": zahlung.iban,
            "amount": int(zahlung.betrag * 100),
            "execution_date": ausfuehrung,
            "description": zahlung.verwendungszweck,
            "endtoend_id": zahlung.rechnung.eingangsnummer,
        }
        if zahlung.bic:
            payment["BIC"] = zahlung.bic
        transfer.add_payment(payment)
    try:
        data: bytes = transfer.export(validate=True)
    except SepaValidationError:
        raise ServiceError(
            _("The payment file does not conform to the SEPA schema; please check the names "
              "and accounts of the invoices.")
        ) from None  # fmt: skip
    return data


def _euro(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def _datum(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value is not None else ""


def zahlungs_csv(*, zahlungen: list[Zahlung], ausfuehrung: date) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for z in zahlungen:
        r = z.rechnung
        writer.writerow(
            [
                r.eingangsnummer,
                r.rechnungsnummer,
                _datum(r.rechnungsdatum),
                r.zahlungsempfaenger_name or r.verkaeufer_name,
                r.verkaeufer_ust_id,
                z.iban,
                z.bic,
                _euro(r.zahlbetrag),
                _euro(z.skonto),
                _euro(z.betrag),
                r.waehrung,
                _datum(r.faellig_am),
                _datum(ausfuehrung),
                r.leitweg_id,
                r.unit.code if r.unit is not None else "",
                z.verwendungszweck,
            ]
        )
    return "\ufeff".encode() + out.getvalue().encode("utf-8")
