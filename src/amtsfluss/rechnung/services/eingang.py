"""Receiving an e-invoice: validate, read, register, route, detect duplicates, file in the E-Akte.

Every received file becomes an entry of the Rechnungseingangsbuch — refused ones too (status
``abgewiesen`` with the findings, so the sender can be told why). Upload and API pass the
person's principal; mail and watched-folder intake pass none and act as the Mandant's technical
intake user (``services/identitaet.py``).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsfluss.akte.services.dokument import clean_filename
from amtsfluss.core import audit
from amtsfluss.core.errors import PermissionDenied, ServiceError
from amtsfluss.core.models import Mandant
from amtsfluss.core.permissions import Principal
from amtsfluss.core.services.blobs import blob_store
from amtsfluss.core.services.technical_users import technical_principal
from amtsfluss.rechnung.models import Kanal, Rechnung, RechnungStatus
from amtsfluss.rechnung.services.ablage import (
    Anlage,
    anlagen_for,
    file_duplicate,
    file_invoice,
    media_type_of,
)
from amtsfluss.rechnung.services.eingangsbuch import (
    find_duplicate,
    next_eingangsnummer,
    route,
    values_of,
)
from amtsfluss.rechnung.services.einlesen import Einlesung, read_invoice_file
from amtsfluss.rechnung.services.einstellungen import einstellungen_of

MAX_PROVENANCE_VALUE = 500


def _acting(mandant: Mandant, principal: Principal | None) -> Principal:
    if principal is None:
        return technical_principal(
            mandant, prefix="rechnungseingang", display_name="Rechnungseingang"
        )
    if principal.mandant.pk != mandant.pk or not principal.is_member_of_mandant:
        raise PermissionDenied(_("You may not submit invoices to this administration."))
    if not principal.allows("create"):
        raise PermissionDenied(_("This key may not change anything."))
    return principal


def _clean_provenance(provenance: dict[str, str]) -> dict[str, str]:
    return {
        str(key)[:100]: str(value)[:MAX_PROVENANCE_VALUE].replace("\x00", "")
        for key, value in provenance.items()
    }


def _status(reading: Einlesung, unit_found: bool, duplicate: bool) -> tuple[str, str]:
    """The new entry's status and, for Klärung, the reason."""
    if not reading.accepted:
        return RechnungStatus.ABGEWIESEN, ""
    if reading.invoice is None:
        return RechnungStatus.KLAERUNG, (reading.unreadable or _("The invoice could not be read."))[
            :300
        ]
    if duplicate:
        return RechnungStatus.DUBLETTE, ""
    if not unit_found:
        reference = reading.invoice.buyer_reference or _("(none)")
        return RechnungStatus.KLAERUNG, (
            _("No unit is registered for the Leitweg-ID %s.") % reference
        )[:300]
    return RechnungStatus.EINGEGANGEN, ""


def rechnung_receive(
    *,
    mandant: Mandant,
    data: bytes,
    filename: str,
    channel: str,
    provenance: dict[str, str],
    principal: Principal | None = None,
) -> Rechnung:
    """Register one received file in the Rechnungseingangsbuch and start its processing.

    ``channel`` is one of ``upload``, ``api``, ``ordner``, ``mail``; ``provenance`` says where
    the file came from (sender, message id, folder path …) and is kept with the entry.
    Raises ``ServiceError`` (code ``no_rules``) when no rule pack is installed: the caller keeps
    the file and tries again later — nothing is registered unvalidated.
    """
    if channel not in Kanal.values:
        raise ServiceError(_("Unknown intake channel %s.") % channel)
    actor = _acting(mandant, principal)
    dateiname = clean_filename(filename)
    einstellungen = einstellungen_of(mandant)
    reading = read_invoice_file(
        data, name=dateiname, accepted_patterns=list(einstellungen.akzeptierte_customization_ids)
    )
    findings = reading.findings_json()
    verdict = "accept" if reading.accepted else "reject"
    anlagen = (
        anlagen_for(
            original=data,
            dateiname=dateiname,
            invoice=reading.invoice,
            validation=reading.validation,
            verdict=verdict,
            findings=findings,
        )
        if reading.accepted
        else []
    )
    original = blob_store(mandant=mandant, content=data)  # bytes before rows
    values = values_of(reading.invoice) if reading.invoice is not None else {}
    unit = route(mandant, reading.invoice.buyer_reference) if reading.invoice else None
    with transaction.atomic():
        now = timezone.now()
        eingangsnummer = next_eingangsnummer(mandant=mandant, jahr=timezone.localdate(now).year)
        duplicate_of, reason = (
            find_duplicate(mandant=mandant, sha256=original.sha256, values=values)
            if reading.accepted
            else (None, "")
        )
        status, klaerungsgrund = _status(reading, unit is not None, duplicate_of is not None)
        rechnung = Rechnung.objects.create(
            mandant=mandant,
            eingangsnummer=eingangsnummer,
            eingegangen_am=now,
            kanal=channel,
            herkunft=_clean_provenance(provenance),
            dateiname=dateiname,
            original=original,
            inhalt_sha256=original.sha256,
            syntax=reading.validation.syntax or "",
            customization_id=(reading.validation.customization_id or "")[:300],
            verdict=verdict,
            findings=findings,
            unit=unit,
            klaerungsgrund=klaerungsgrund,
            ist_dublette=duplicate_of is not None,
            dublette_von=duplicate_of,
            dublette_grund=reason[:300],
            status=status,
            created_by=actor.user,
            **values,
        )
        if status == RechnungStatus.EINGEGANGEN:
            file_invoice(
                principal=actor, rechnung=rechnung, einstellungen=einstellungen, anlagen=anlagen
            )
        elif status == RechnungStatus.DUBLETTE:
            anlage = Anlage("", dateiname, media_type_of(data), data)
            file_duplicate(principal=actor, rechnung=rechnung, anlage=anlage)
        audit.record_action(
            actor,
            "rechnung.receive",
            rechnung,
            eingangsnummer=eingangsnummer,
            kanal=channel,
            herkunft=rechnung.herkunft,
            dateiname=dateiname,
            sha256=original.sha256,
            verdict=verdict,
            status=status,
            unit=unit.code if unit is not None else None,
            dublette_von=duplicate_of.eingangsnummer if duplicate_of is not None else None,
            abgelegt=rechnung.vorgang_id is not None,
        )
    return rechnung
