"""Vorgänge: creating, assigning, status, moving between Akten."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsfluss.akte.models import Akte, AktenStatus, Vorgang, VorgangStatus
from amtsfluss.core import audit
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import Organisationseinheit, User
from amtsfluss.core.permissions import Principal


def require_open(akte: Akte) -> None:
    if akte.status == AktenStatus.ZDA:
        raise ServiceError(_("The Akte %s is closed (zdA); reopen it first.") % akte.aktenzeichen)


def _check_assignee(principal: Principal, bearbeiter: User | None) -> None:
    if bearbeiter is not None and (
        bearbeiter.mandant_id != principal.mandant.pk or not bearbeiter.is_active
    ):
        raise ServiceError(_("The assignee must be active staff of this Mandant."))


def vorgang_create(
    *,
    principal: Principal,
    akte: Akte,
    betreff: str,
    eingangsdatum: date | None = None,
    bearbeiter: User | None = None,
    bearbeitende_oe: Organisationseinheit | None = None,
    frist: date | None = None,
) -> Vorgang:
    """Open a Vorgang in an Akte the caller may change (fetched with access(..., 'change'))."""
    betreff = betreff.strip()
    if not betreff:
        raise ServiceError(_("A Vorgang needs a subject (Betreff)."))
    _check_assignee(principal, bearbeiter)
    unit = bearbeitende_oe or akte.federfuehrende_oe
    if unit.mandant_id != principal.mandant.pk:
        raise ServiceError(_("This unit does not exist."))
    with transaction.atomic():
        akte = Akte.objects.select_for_update().get(pk=akte.pk)
        require_open(akte)
        vorgang = Vorgang.objects.create(
            mandant=principal.mandant,
            akte=akte,
            betreff=betreff,
            eingangsdatum=eingangsdatum or timezone.localdate(),
            bearbeitende_oe=unit,
            bearbeiter=bearbeiter,
            frist=frist,
        )
        audit.record_action(
            principal, "vorgang.create", vorgang, akte=akte.aktenzeichen, betreff=betreff
        )
    return vorgang


def vorgang_update(
    *,
    principal: Principal,
    vorgang: Vorgang,
    status: str | None = None,
    bearbeiter: User | None = None,
    unassign: bool = False,
    frist: date | None = None,
) -> Vorgang:
    """Change status, assignee or deadline of a Vorgang (fetched with access(..., 'change'))."""
    if status is not None and status not in VorgangStatus.values:
        raise ServiceError(_("Unknown status."))
    _check_assignee(principal, bearbeiter)
    with transaction.atomic():
        vorgang = Vorgang.objects.select_for_update().select_related("akte").get(pk=vorgang.pk)
        require_open(vorgang.akte)
        changes: dict[str, object] = {}
        if status is not None and status != vorgang.status:
            vorgang.status = status
            vorgang.erledigt_am = timezone.now() if status == VorgangStatus.ERLEDIGT else None
            changes["status"] = status
        if bearbeiter is not None or unassign:
            vorgang.bearbeiter = None if unassign else bearbeiter
            changes["bearbeiter"] = bearbeiter.username if bearbeiter and not unassign else None
        if frist is not None:
            vorgang.frist = frist
            changes["frist"] = frist.isoformat()
        if changes:
            vorgang.save()
            audit.record_action(principal, "vorgang.update", vorgang, **changes)
    return vorgang


def vorgang_move(*, principal: Principal, vorgang: Vorgang, target: Akte) -> Vorgang:
    """Move a Vorgang (with its Dokumente) into another Akte; both must be open.

    The caller fetched the Vorgang and the target Akte with access(..., 'change').
    """
    if target.mandant_id != vorgang.mandant_id:
        raise ServiceError(_("This Akte does not exist."))
    with transaction.atomic():
        # lock both Akten in a fixed order so that concurrent moves cannot deadlock
        ids = sorted({vorgang.akte_id, target.pk})
        akten = {
            a.pk: a for a in Akte.objects.select_for_update().filter(pk__in=ids).order_by("pk")
        }
        source, target = akten[vorgang.akte_id], akten[target.pk]
        if source.pk == target.pk:
            raise ServiceError(_("The Vorgang is already in this Akte."))
        require_open(source)
        require_open(target)
        vorgang.akte = target
        vorgang.save(update_fields=["akte"])
        audit.record_action(
            principal,
            "vorgang.move",
            vorgang,
            von=source.aktenzeichen,
            nach=target.aktenzeichen,
        )
    return vorgang
