"""Reads of the pages, always scoped by the permission engine to what the principal may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from amtsfluss.core.models import Mandant, Membership, Vertretung
from amtsfluss.core.permissions import Action, Principal, permitted


def valid_at(at: datetime) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=at)) & (
        Q(valid_until__isnull=True) | Q(valid_until__gt=at)
    )


def own_memberships(*, principal: Principal) -> QuerySet[Membership]:
    """The principal's own roles in units, valid now (not those of persons they deputise for)."""
    return (
        permitted(Membership, principal=principal, action=Action.VIEW)
        .filter(valid_at(principal.at), user_id=principal.user.pk)
        .select_related("unit")
        .order_by("unit__code", "role")
    )


@dataclass(frozen=True)
class CurrentVertretungen:
    deputising_for: list[Vertretung]
    """Persons the principal deputises for right now."""
    deputised_by: list[Vertretung]
    """Persons who deputise for the principal right now."""


def current_vertretungen(*, principal: Principal) -> CurrentVertretungen:
    """Vertretungen in force now in which the principal is one of the two persons (one query)."""
    me = principal.user.pk
    rows = list(
        permitted(Vertretung, principal=principal, action=Action.VIEW)
        .filter(Q(vertretung_id=me) | Q(vertretene_person_id=me))
        .filter(valid_from__lte=principal.at, valid_until__gt=principal.at)
        .select_related("vertretene_person", "vertretung")
        .order_by("valid_until")
    )
    return CurrentVertretungen(
        deputising_for=[row for row in rows if row.vertretung_id == me],
        deputised_by=[row for row in rows if row.vertretene_person_id == me],
    )


class VertretungStatus:
    PLANNED = "planned"
    ACTIVE = "active"
    ENDED = "ended"


@dataclass(frozen=True)
class VertretungRow:
    vertretung: Vertretung
    status: str
    may_end: bool


def vertretung_rows(*, principal: Principal) -> list[VertretungRow]:
    """Every Vertretung the principal may see, newest first, with whether they may end it.

    One query: "may end" is an ``EXISTS`` over the rows the principal may change.
    """
    changeable = permitted(Vertretung, principal=principal, action=Action.CHANGE).filter(
        pk=OuterRef("pk")
    )
    rows = (
        permitted(Vertretung, principal=principal, action=Action.VIEW)
        .select_related("vertretene_person", "vertretung")
        .annotate(may_change=Exists(changeable))
        .order_by("-valid_from", "-pk")
    )
    now = principal.at
    result = []
    for row in rows:
        if row.valid_until <= now:
            status = VertretungStatus.ENDED
        elif row.valid_from > now:
            status = VertretungStatus.PLANNED
        else:
            status = VertretungStatus.ACTIVE
        may_change: bool = row.may_change
        result.append(
            VertretungRow(
                vertretung=row,
                status=status,
                may_end=may_change and status != VertretungStatus.ENDED,
            )
        )
    return result


def mandant_list() -> QuerySet[Mandant]:
    """All Mandanten with their host names, for the platform operator (two queries)."""
    return Mandant.objects.prefetch_related("hosts").order_by("name")
