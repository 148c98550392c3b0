"""Configuration by Fachadministration: settings, Leitweg-IDs, Anordnungsbefugnisse."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from amtsfluss.akte.models import Aktenplanposition
from amtsfluss.core import audit
from amtsfluss.core.errors import PermissionDenied, ServiceError
from amtsfluss.core.models import Mandant, Organisationseinheit, Role, User
from amtsfluss.core.permissions import Principal
from amtsfluss.rechnung.models import Anordnungsbefugnis, Leitweg, RechnungEinstellungen
from amtsfluss.rechnung.services.bankverbindung import clean_bic, clean_iban


def _require_fachadministration(principal: Principal) -> None:
    if not principal.allows("change") or not principal.has_role(Role.FACHADMINISTRATION):
        raise PermissionDenied(_("Only Fachadministration configures the invoice intake."))


def _same_mandant(principal: Principal, *objects: Organisationseinheit | User | None) -> None:
    for obj in objects:
        if obj is not None and obj.mandant_id != principal.mandant.pk:
            raise ServiceError(_("This unit or person does not exist."))


def einstellungen_of(mandant: Mandant) -> RechnungEinstellungen:
    """The Mandant's settings; defaults (unsaved) when none were made yet."""
    found = RechnungEinstellungen.objects.filter(mandant=mandant).first()
    return found if found is not None else RechnungEinstellungen(mandant=mandant)


def normalize_leitweg_id(value: str) -> str:
    return "".join(value.split()).upper()


def einstellungen_update(
    *,
    principal: Principal,
    akzeptierte_customization_ids: list[str] | None = None,
    aktenplanposition: Aktenplanposition | None = None,
    zahlungspflichtiger_name: str | None = None,
    zahlungspflichtiger_iban: str | None = None,
    zahlungspflichtiger_bic: str | None = None,
    wiedervorlage_tage: int | None = None,
) -> RechnungEinstellungen:
    """Change the given settings of the principal's Mandant (others stay as they are)."""
    _require_fachadministration(principal)
    if aktenplanposition is not None and (
        aktenplanposition.mandant_id != principal.mandant.pk or not aktenplanposition.is_leaf
    ):
        raise ServiceError(_("Invoice Akten are formed at a leaf of this Mandant's Aktenplan."))
    with transaction.atomic():
        row, _created = RechnungEinstellungen.objects.select_for_update().get_or_create(
            mandant=principal.mandant
        )
        changes: dict[str, object] = {}
        if akzeptierte_customization_ids is not None:
            patterns = [p.strip() for p in akzeptierte_customization_ids if p.strip()]
            row.akzeptierte_customization_ids = patterns
            changes["akzeptierte_customization_ids"] = patterns
        if aktenplanposition is not None:
            row.aktenplanposition = aktenplanposition
            changes["aktenplanposition"] = aktenplanposition.kennzeichen
        if zahlungspflichtiger_name is not None:
            row.zahlungspflichtiger_name = zahlungspflichtiger_name.strip()[:70]
            changes["zahlungspflichtiger_name"] = row.zahlungspflichtiger_name
        if zahlungspflichtiger_iban is not None:
            row.zahlungspflichtiger_iban = clean_iban(zahlungspflichtiger_iban)
            changes["zahlungspflichtiger_iban"] = row.zahlungspflichtiger_iban
        if zahlungspflichtiger_bic is not None:
            row.zahlungspflichtiger_bic = clean_bic(zahlungspflichtiger_bic)
            changes["zahlungspflichtiger_bic"] = row.zahlungspflichtiger_bic
        if wiedervorlage_tage is not None:
            if not 0 <= wiedervorlage_tage <= 60:
                raise ServiceError(_("Please give between 0 and 60 days."))
            row.wiedervorlage_tage = wiedervorlage_tage
            changes["wiedervorlage_tage"] = wiedervorlage_tage
        row.save()
        audit.record_action(principal, "rechnung.einstellungen_update", row, **changes)
    return row


def leitweg_set(*, principal: Principal, leitweg_id: str, unit: Organisationseinheit) -> Leitweg:
    """Route invoices with this Leitweg-ID (BuyerReference) to ``unit`` (replaces a route)."""
    _require_fachadministration(principal)
    _same_mandant(principal, unit)
    normalized = normalize_leitweg_id(leitweg_id)
    if not normalized:
        raise ServiceError(_("Please give the Leitweg-ID."))
    with transaction.atomic():
        row, created = Leitweg.objects.select_for_update().get_or_create(
            mandant=principal.mandant, leitweg_id=normalized, defaults={"unit": unit}
        )
        if not created:
            row.unit = unit
            row.save(update_fields=["unit"])
        audit.record_action(
            principal, "rechnung.leitweg_set", row, leitweg_id=normalized, unit=unit.code
        )
    return row


def anordnungsbefugnis_grant(
    *,
    principal: Principal,
    user: User,
    unit: Organisationseinheit,
    betragsgrenze: Decimal,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> Anordnungsbefugnis:
    """Allow ``user`` to order payments for ``unit`` and below, up to ``betragsgrenze``."""
    _require_fachadministration(principal)
    _same_mandant(principal, unit, user)
    if betragsgrenze <= 0:
        raise ServiceError(_("The amount limit must be positive."))
    if valid_from is not None and valid_until is not None and valid_until <= valid_from:
        raise ServiceError(_("The end of validity must lie after its start."))
    with transaction.atomic():
        row = Anordnungsbefugnis.objects.create(
            mandant=principal.mandant,
            user=user,
            unit=unit,
            betragsgrenze=betragsgrenze,
            valid_from=valid_from,
            valid_until=valid_until,
            created_by=principal.user,
        )
        audit.record_action(
            principal,
            "rechnung.anordnungsbefugnis_grant",
            row,
            user=user.username,
            unit=unit.code,
            betragsgrenze=str(betragsgrenze),
        )
    return row
