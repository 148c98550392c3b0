from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsfluss.core import audit
from amtsfluss.core.errors import PermissionDenied, ServiceError
from amtsfluss.core.models import Membership, Role, User, Vertretung
from amtsfluss.core.permissions import Principal


def _may_arrange_for(principal: Principal, person: User) -> bool:
    """The represented person themselves, their Amtsleitung, or Fachadministration.

    "Themselves" is the person, not a deputy acting for them: a deputy cannot pass the absent
    person's rights on to a third person.
    """
    led_members = Membership.objects.filter(
        mandant=principal.mandant, unit_id__in=principal.unit_ids_with_role(Role.AMTSLEITUNG)
    ).values("user_id")
    allowed = (
        Q(pk=principal.user.pk) | Q(pk__in=led_members) | principal.holds(Role.FACHADMINISTRATION)
    )
    return User.objects.filter(allowed, pk=person.pk, mandant=principal.mandant).exists()


def check_vertretung_create(
    *,
    principal: Principal,
    vertretene_person: User,
    vertretung: User,
    valid_from: datetime,
    valid_until: datetime,
    reason: str = "",
) -> Vertretung:
    """Validate and arrange a Vertretung (deputy) for a time window."""
    if not principal.allows("create"):
        raise PermissionDenied(_("This key may not change anything."))
    for person in (vertretene_person, vertretung):
        if person.mandant_id != principal.mandant.pk or not person.is_active:
            raise ServiceError(_("Both persons must be active staff of this Mandant."))
    if vertretene_person.pk == vertretung.pk:
        raise ServiceError(_("Nobody can deputise for themselves."))
    if valid_until <= valid_from:
        raise ServiceError(_("The end of a Vertretung must lie after its start."))
    if not _may_arrange_for(principal, vertretene_person):
        raise PermissionDenied(_("You may not arrange a Vertretung for this person."))
    return do_vertretung_create(
        principal=principal,
        vertretene_person=vertretene_person,
        vertretung=vertretung,
        valid_from=valid_from,
        valid_until=valid_until,
        reason=reason,
    )


def do_vertretung_create(
    *,
    principal: Principal,
    vertretene_person: User,
    vertretung: User,
    valid_from: datetime,
    valid_until: datetime,
    reason: str,
) -> Vertretung:
    with transaction.atomic():
        row = Vertretung.objects.create(
            mandant=principal.mandant,
            vertretene_person=vertretene_person,
            vertretung=vertretung,
            valid_from=valid_from,
            valid_until=valid_until,
            reason=reason,
            created_by=principal.user,
        )
        audit.record(
            mandant=principal.mandant,
            actor=principal.user,
            action="vertretung.create",
            object_type="core.vertretung",
            object_id=str(row.pk),
            details={
                "vertretene_person": vertretene_person.username,
                "vertretung": vertretung.username,
                "from": valid_from.isoformat(),
                "until": valid_until.isoformat(),
            },
        )
    return row


def vertretung_end(*, principal: Principal, vertretung: Vertretung) -> Vertretung | None:
    """End a Vertretung now; one that has not started yet is cancelled (deleted).

    The caller fetched it with ``access(Vertretung, ..., action="change")``. Returns the ended
    row, or ``None`` when it was cancelled.
    """
    now = timezone.now()
    pk = vertretung.pk
    with transaction.atomic():
        if vertretung.valid_from >= now:
            vertretung.delete()
            action, result = "vertretung.cancel", None
        else:
            if vertretung.valid_until > now:
                vertretung.valid_until = now
                vertretung.save(update_fields=["valid_until"])
            action, result = "vertretung.end", vertretung
        audit.record(
            mandant=principal.mandant,
            actor=principal.user,
            action=action,
            object_type="core.vertretung",
            object_id=str(pk),
        )
    return result
