"""'Mein Posteingang': open Vorgänge of the user or their units, and due Wiedervorlagen.

Each list is one query (plus one count), whatever the size of the Mandant.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from amtsfluss.akte.models import Vorgang, VorgangStatus, Wiedervorlage
from amtsfluss.core.permissions import Action, Principal, permitted


class InboxView(StrEnum):
    MINE = "mine"  # assigned to me (or to someone I deputise for)
    UNIT = "unit"  # in my units and not assigned to anybody
    ALL = "all"  # both


@dataclass(frozen=True)
class InboxPage:
    vorgaenge: list[Vorgang]
    total: int
    offset: int
    limit: int


def inbox_vorgaenge(*, principal: Principal, view: InboxView = InboxView.ALL) -> QuerySet[Vorgang]:
    acting = principal.acting_user_ids()
    mine = Q(bearbeiter_id__in=acting)
    unit = Q(bearbeiter__isnull=True, bearbeitende_oe_id__in=principal.unit_ids())
    condition = {InboxView.MINE: mine, InboxView.UNIT: unit, InboxView.ALL: mine | unit}[view]
    return (
        permitted(Vorgang, principal=principal, action=Action.VIEW)
        .filter(condition)
        .exclude(status=VorgangStatus.ERLEDIGT)
        .select_related("akte", "bearbeitende_oe", "bearbeiter")
        .order_by(F("frist").asc(nulls_last=True), "eingangsdatum", "pk")
    )


def inbox_page(
    *, principal: Principal, view: InboxView = InboxView.ALL, offset: int = 0, limit: int = 50
) -> InboxPage:
    rows = inbox_vorgaenge(principal=principal, view=view)
    limit = max(1, min(limit, 200))
    offset = max(0, offset)
    return InboxPage(
        vorgaenge=list(rows[offset : offset + limit]),
        total=rows.count(),
        offset=offset,
        limit=limit,
    )


def due_wiedervorlagen(*, principal: Principal, limit: int = 50) -> list[Wiedervorlage]:
    """Open Wiedervorlagen due today or earlier for the user or their units."""
    today = timezone.localdate()
    return list(
        permitted(Wiedervorlage, principal=principal, action=Action.VIEW)
        .filter(erledigt_am__isnull=True, faellig_am__lte=today)
        .filter(
            Q(fuer_user_id__in=principal.acting_user_ids()) | Q(fuer_oe_id__in=principal.unit_ids())
        )
        .select_related("akte", "vorgang__akte", "fuer_user", "fuer_oe")
        .order_by("faellig_am", "pk")[:limit]
    )
