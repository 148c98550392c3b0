"""Klärung: routing an invoice that no Leitweg-ID matched to its unit by hand, then filing it."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from amtsfluss.core import audit
from amtsfluss.core.errors import PermissionDenied, ServiceError
from amtsfluss.core.models import Organisationseinheit
from amtsfluss.core.permissions import Principal
from amtsfluss.core.services.blobs import blob_open
from amtsfluss.rechnung.invoice.parse import parse_invoice
from amtsfluss.rechnung.models import Rechnung, RechnungStatus
from amtsfluss.rechnung.services.ablage import anlagen_for, file_invoice
from amtsfluss.rechnung.services.einlesen import invoice_xml_of
from amtsfluss.rechnung.services.einstellungen import einstellungen_of
from amtsfluss.rechnung.services.schritte import may_clear


def rechnung_route(
    *, principal: Principal, rechnung: Rechnung, unit: Organisationseinheit
) -> Rechnung:
    """Assign a Rechnung in Klärung to ``unit`` (Kasse, Fachadministration); it is then filed
    in the unit's Akte and enters the approval as ``eingegangen``."""
    if unit.mandant_id != principal.mandant.pk:
        raise ServiceError(_("This unit does not exist."))
    if not may_clear(principal, rechnung):
        raise PermissionDenied(_("Only Kasse or Fachadministration route invoices."))
    if rechnung.status != RechnungStatus.KLAERUNG or rechnung.zahlbetrag is None:
        raise ServiceError(_("Only a readable invoice in Klärung can be routed."), code="conflict")
    with blob_open(blob=rechnung.original) as reader:
        original = reader.read_all()
    xml = invoice_xml_of(original)
    invoice = parse_invoice(xml) if xml is not None else None
    anlagen = anlagen_for(
        original=original,
        dateiname=rechnung.dateiname,
        invoice=invoice,
        validation=None,
        verdict=rechnung.verdict,
        findings=rechnung.findings,
    )
    with transaction.atomic():
        current = Rechnung.objects.select_for_update().get(pk=rechnung.pk)
        if current.status != RechnungStatus.KLAERUNG:
            raise ServiceError(_("The invoice has been routed meanwhile."), code="conflict")
        current.unit = unit
        current.klaerungsgrund = ""
        current.status = RechnungStatus.EINGEGANGEN
        current.save(update_fields=["unit", "klaerungsgrund", "status"])
        file_invoice(
            principal=principal,
            rechnung=current,
            einstellungen=einstellungen_of(principal.mandant),
            anlagen=anlagen,
        )
        audit.record_action(
            principal,
            "rechnung.route",
            current,
            eingangsnummer=current.eingangsnummer,
            unit=unit.code,
        )
    return current
