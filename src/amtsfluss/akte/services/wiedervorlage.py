"""Wiedervorlagen: dated reminders; due ones appear in the inbox and are mailed once."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsfluss.akte.models import Akte, Vorgang, Wiedervorlage
from amtsfluss.core import audit
from amtsfluss.core.errors import PermissionDenied, ServiceError
from amtsfluss.core.models import Organisationseinheit, User
from amtsfluss.core.permissions import Principal


def wiedervorlage_create(
    *,
    principal: Principal,
    faellig_am: date,
    vorgang: Vorgang | None = None,
    akte: Akte | None = None,
    fuer_user: User | None = None,
    fuer_oe: Organisationseinheit | None = None,
    notiz: str = "",
) -> Wiedervorlage:
    """Set a reminder on a Vorgang or an Akte (fetched for 'view') for a person or a unit."""
    if not principal.allows("create"):
        raise PermissionDenied(_("This key may not change anything."))
    if (vorgang is None) == (akte is None):
        raise ServiceError(_("A Wiedervorlage belongs to either a Vorgang or an Akte."))
    if fuer_user is None and fuer_oe is None:
        fuer_user = principal.user
    if fuer_user is not None and fuer_oe is not None:
        raise ServiceError(_("A Wiedervorlage is for either a person or a unit."))
    for target in (fuer_user, fuer_oe):
        if target is not None and target.mandant_id != principal.mandant.pk:
            raise ServiceError(_("The addressee must belong to this Mandant."))
    if faellig_am < timezone.localdate():
        raise ServiceError(_("The due date lies in the past."))
    with transaction.atomic():
        row = Wiedervorlage.objects.create(
            mandant=principal.mandant,
            vorgang=vorgang,
            akte=akte,
            faellig_am=faellig_am,
            fuer_user=fuer_user,
            fuer_oe=fuer_oe,
            notiz=notiz.strip()[:300],
            created_by=principal.user,
        )
        audit.record_action(
            principal, "wiedervorlage.create", row, faellig_am=faellig_am.isoformat()
        )
    return row


def wiedervorlage_erledigen(*, principal: Principal, wiedervorlage: Wiedervorlage) -> None:
    with transaction.atomic():
        updated = Wiedervorlage.objects.filter(
            pk=wiedervorlage.pk, erledigt_am__isnull=True
        ).update(erledigt_am=timezone.now())
        if updated:
            audit.record(
                mandant=principal.mandant,
                actor=principal.user,
                action="wiedervorlage.erledigt",
                object_type="akte.wiedervorlage",
                object_id=str(wiedervorlage.pk),
            )
