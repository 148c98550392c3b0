"""Reads the E-Rechnung pages and the API share besides ``selectors/rechnungen.py``.

The register with its filters and sort orders, the readable content of a received file, and
the objects of a Zahlungslauf — always through the permission engine, never a loop of checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from amtsfluss.core.blobs import BlobIntegrityError, BlobMissing
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import Organisationseinheit, Role
from amtsfluss.core.permissions import Action, Principal, access, permitted
from amtsfluss.core.selectors.organisation import unit_list
from amtsfluss.core.services.blobs import blob_open
from amtsfluss.rechnung.invoice.model import Invoice
from amtsfluss.rechnung.invoice.parse import parse_invoice
from amtsfluss.rechnung.invoice.validation_report import ValidationView, validation_view
from amtsfluss.rechnung.models import Rechnung, RechnungStatus, Zahlungslauf
from amtsfluss.rechnung.selectors.rechnungen import rechnungen_list
from amtsfluss.rechnung.services.einlesen import invoice_xml_of

#: Sort orders of the register: the value of ``?sortierung=`` → ORDER BY (newest first default).
SORTS: dict[str, tuple[Any, ...]] = {
    "eingang": ("-eingegangen_am", "-pk"),
    "eingang_alt": ("eingegangen_am", "pk"),
    "faellig": (F("faellig_am").asc(nulls_last=True), "pk"),
    "faellig_spaet": (F("faellig_am").desc(nulls_last=True), "-pk"),
}
DEFAULT_SORT = "eingang"

#: Roles that work with invoices Mandant-wide (``rechnung/permissions.py``).
CENTRAL_ROLES = (Role.KASSE, Role.RECHNUNGSPRUEFUNG, Role.FACHADMINISTRATION)


@dataclass(frozen=True)
class EingangsbuchFilter:
    """What the register is filtered by; every field empty means the whole register."""

    status: tuple[str, ...] = ()
    unit_id: int | None = None
    nur_dubletten: bool = False
    nur_klaerung: bool = False
    query: str = ""
    sort: str = DEFAULT_SORT


def eingangsbuch(*, principal: Principal, filters: EingangsbuchFilter) -> QuerySet[Rechnung]:
    """The Rechnungseingangsbuch as the principal may see it, filtered and sorted (one query)."""
    status = list(filters.status)
    if filters.nur_klaerung:
        if status and RechnungStatus.KLAERUNG not in status:
            return Rechnung.objects.none()
        status = [RechnungStatus.KLAERUNG]
    rows = rechnungen_list(
        principal=principal,
        status=status or None,
        unit_id=filters.unit_id,
        query=filters.query,
        nur_dubletten=filters.nur_dubletten,
    )
    return rows.order_by(*SORTS.get(filters.sort, SORTS[DEFAULT_SORT]))


def may_see_rechnungen(principal: Principal) -> bool:
    """Whether the register is of any use to the principal: a central role, or an entry."""
    if principal.has_role(*CENTRAL_ROLES):
        return True
    return permitted(Rechnung, principal=principal, action=Action.VIEW).exists()


def units_for_invoices(principal: Principal) -> QuerySet[Organisationseinheit]:
    """Active units of the Mandant (filter of the register, target of a routing)."""
    return unit_list(principal=principal).filter(is_active=True)


# --- the received file ----------------------------------------------------------------------


@dataclass
class Lesung:
    """The stored original of a Rechnung as the pages and the API read it."""

    original: bytes | None = None
    xml: bytes | None = None
    invoice: Invoice | None = None
    problem: str = ""
    damaged: bool = False


def original_bytes(rechnung: Rechnung) -> bytes:
    """The stored file, verified against its SHA-256 (``ServiceError`` if damaged or missing)."""
    try:
        with blob_open(blob=rechnung.original) as reader:
            return reader.read_all()
    except (BlobIntegrityError, BlobMissing):
        raise ServiceError(
            _(
                "The stored file failed its integrity check and was not delivered. "
                "Please inform the IT operators."
            ),
            code="blob_unreadable",
        ) from None


def lesung(rechnung: Rechnung) -> Lesung:
    """Read the original: its invoice XML (for a PDF, the embedded one) and the content."""
    try:
        data = original_bytes(rechnung)
    except ServiceError as exc:
        return Lesung(problem=exc.message, damaged=True)
    result = Lesung(original=data)
    if not rechnung.syntax:
        result.problem = _("The file is not an e-invoice; there is no content to show.")
        return result
    result.xml = invoice_xml_of(data)
    if result.xml is None:
        result.problem = _("The PDF holds no invoice XML; there is no content to show.")
        return result
    try:
        result.invoice = parse_invoice(result.xml)
    except ServiceError as exc:
        result.problem = exc.message
    return result


def validation_result(rechnung: Rechnung) -> ValidationView:
    """The validation as recorded at receipt, for the German report (errors first)."""
    return validation_view(
        {
            "verdict": rechnung.verdict,
            "scenario": _("as recorded at receipt (%s)") % (rechnung.syntax or "–"),
            "customization_id": rechnung.customization_id,
            "findings": rechnung.findings,
        }
    )


# --- Zahlungslauf ---------------------------------------------------------------------------


def access_zahlungslauf(principal: Principal, pk: Any) -> Zahlungslauf:
    """One Zahlungslauf the principal may see (the Kasse's), else 404 and an audit event."""
    return access(
        Zahlungslauf,
        principal=principal,
        action=Action.VIEW,
        pk=pk,
        queryset=Zahlungslauf.objects.select_related("created_by", "pain001", "csv"),
    )


def zahlungslauf_rechnungen(*, principal: Principal, run: Zahlungslauf) -> QuerySet[Rechnung]:
    return (
        permitted(Rechnung, principal=principal, action=Action.VIEW)
        .filter(zahlungslauf=run)
        .select_related("unit")
        .order_by("eingangsnummer", "pk")
    )
