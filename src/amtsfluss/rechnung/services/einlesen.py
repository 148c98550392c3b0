"""Reading a received file: validation with the installed rules, the invoice's content.

Nothing here touches the database; ``rechnung_receive`` calls it before its transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from amtsfluss.core.errors import ServiceError
from amtsfluss.rechnung.invoice.model import Invoice
from amtsfluss.rechnung.invoice.parse import parse_invoice
from amtsfluss.rechnung.validation import ValidationResult, default_registry
from amtsfluss.rechnung.validation.pdf import EmbeddedXml, extract_invoice_xml, is_pdf

RULE_UNREADABLE = "AF-PARSE"


@dataclass
class Einlesung:
    """What intake learned from one file: the verdict, its findings, the invoice if readable."""

    validation: ValidationResult
    invoice: Invoice | None = None
    invoice_xml: bytes | None = None
    unreadable: str = ""

    @property
    def accepted(self) -> bool:
        return self.validation.accepted

    def findings_json(self) -> list[dict[str, str]]:
        return [
            {"rule": f.rule, "level": f.level, "message": f.message, "location": f.location}
            for f in self.validation.findings
        ]


def validate(data: bytes, *, name: str, accepted_patterns: list[str]) -> ValidationResult:
    """Validate with the installed rule pack made for the document (kept warm per process).

    ``accepted_patterns`` are the Mandant's accepted CustomizationIDs (exact, or a prefix
    ending in ``*``); empty accepts whatever the installed rules accept.
    """
    return default_registry().validate_bytes(data, name=name, accept=accepted_patterns or None)


def invoice_xml_of(data: bytes) -> bytes | None:
    """The invoice XML: the file itself, or the XML embedded in a ZUGFeRD/Factur-X PDF."""
    if not is_pdf(data):
        return data
    extracted = extract_invoice_xml(data)
    return extracted.data if isinstance(extracted, EmbeddedXml) else None


def read_invoice_file(data: bytes, *, name: str, accepted_patterns: list[str]) -> Einlesung:
    """Validate ``data`` and read its content; best effort for rejected files (for the notice)."""
    result = validate(data, name=name, accepted_patterns=accepted_patterns)
    reading = Einlesung(validation=result)
    if result.syntax is None:
        return reading  # not an e-invoice at all: nothing to read
    reading.invoice_xml = invoice_xml_of(data)
    if reading.invoice_xml is None:
        return reading
    try:
        reading.invoice = parse_invoice(reading.invoice_xml)
    except ServiceError as exc:
        reading.unreadable = exc.message
    except Exception as exc:  # a parser defect must not lose the received invoice
        reading.unreadable = _("The invoice could not be read (%s).") % type(exc).__name__
    return reading
