"""'Mein Posteingang': open Vorgänge of the user or their units, and due Wiedervorlagen.

Each list is one query, and the counts of the views two more, whatever the size of the
Mandant.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import connections
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from amtsfluss.akte.models import Vorgang, VorgangStatus, Wiedervorlage
from amtsfluss.akte.permissions import hidden_confidential_akte_ids
from amtsfluss.core.permissions import Action, Principal, permits, permitted


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
    counts: dict[InboxView, int]


def _conditions(principal: Principal) -> dict[InboxView, Q]:
    """The rows of each inbox view, with the Akte policy already folded in.

    Equivalent to ``permitted(Vorgang, VIEW)`` narrowed to the view (a test proves it), but
    without evaluating the whole Akte scope for every row, and without reading the Akte row:

    * a Vorgang assigned to me (or to someone I deputise for) makes its Akte visible to me at
      every confidentiality level (the policy's "assigned" term), so it needs no further check;
    * an unassigned Vorgang of my unit makes an *offen* Akte visible (the "working unit"
      term); a confidential Akte must name me — so the row is shown unless its Akte is one of
      the few confidential Akten that do not.
    """
    mine = Q(bearbeiter_id__in=principal.acting_user_ids())
    unit = Q(bearbeiter__isnull=True, bearbeitende_oe_id__in=principal.unit_ids()) & ~Q(
        akte_id__in=hidden_confidential_akte_ids(principal, Action.VIEW)
    )
    return {InboxView.MINE: mine, InboxView.UNIT: unit, InboxView.ALL: mine | unit}


def _open_vorgaenge(principal: Principal) -> QuerySet[Vorgang]:
    if not principal.is_member_of_mandant or not principal.allows(Action.VIEW):
        return Vorgang.objects.none()
    return Vorgang.objects.filter(mandant=principal.mandant).exclude(status=VorgangStatus.ERLEDIGT)


INBOX_ORDER = (F("frist").asc(nulls_last=True), "eingangsdatum", "pk")


def inbox_vorgaenge(*, principal: Principal, view: InboxView = InboxView.ALL) -> QuerySet[Vorgang]:
    """All rows of a view in inbox order (deadline first, then receipt)."""
    return (
        _open_vorgaenge(principal)
        .filter(_conditions(principal)[view])
        .select_related("akte", "bearbeitende_oe", "bearbeiter")
        .order_by(*INBOX_ORDER)
    )


def _inbox_slice(
    rows: QuerySet[Vorgang],
    conditions: dict[InboxView, Q],
    view: InboxView,
    offset: int,
    limit: int,
) -> QuerySet[Vorgang]:
    """One page, as one query: the page's ids are chosen from the covering inbox indexes alone
    (no row, Akte or user is read for the thousands of candidates), then only those rows are
    joined.

    "All" is the union of "mine" and "unit": where the database allows ordered, limited parts
    of a ``UNION ALL`` (PostgreSQL), each part sorts its own candidates and keeps only its first
    ``offset + limit`` ids, and the page is cut from at most twice that; elsewhere (SQLite) one
    query reads both under an ``OR``.
    """
    end = offset + limit

    def first_ids(which: InboxView) -> QuerySet[Vorgang, Any]:
        return rows.filter(conditions[which]).order_by(*INBOX_ORDER).values("pk")[:end]

    if (
        view is InboxView.ALL
        and connections[rows.db].features.supports_slicing_ordering_in_compound
    ):
        candidates = first_ids(InboxView.MINE).union(first_ids(InboxView.UNIT), all=True)
    else:
        candidates = first_ids(view)
    return (
        Vorgang.objects.filter(pk__in=candidates)
        .select_related("akte", "bearbeitende_oe", "bearbeiter")
        .order_by(*INBOX_ORDER)[offset:end]
    )


def _counts(rows: QuerySet[Vorgang], conditions: dict[InboxView, Q]) -> dict[InboxView, int]:
    mine = rows.filter(conditions[InboxView.MINE]).count()
    unit = rows.filter(conditions[InboxView.UNIT]).count()
    return {InboxView.MINE: mine, InboxView.UNIT: unit, InboxView.ALL: mine + unit}


def inbox_counts(*, principal: Principal) -> dict[InboxView, int]:
    """The number of rows in each view: two counts ("mine" and "unit" never overlap — a row
    is either assigned or not), each from the inbox indexes alone."""
    return _counts(_open_vorgaenge(principal), _conditions(principal))


def inbox_page(
    *, principal: Principal, view: InboxView = InboxView.ALL, offset: int = 0, limit: int = 50
) -> InboxPage:
    """One page of a view; ``counts`` holds the size of every view (for the tabs). The views'
    conditions (with their confidentiality subquery) are built once for counts and page."""
    limit = max(1, min(limit, 200))
    offset = max(0, offset)
    rows = _open_vorgaenge(principal)
    conditions = _conditions(principal)
    counts = _counts(rows, conditions)
    return InboxPage(
        vorgaenge=list(_inbox_slice(rows, conditions, view, offset, limit)),
        total=counts[view],
        offset=offset,
        limit=limit,
        counts=counts,
    )


def due_wiedervorlagen(*, principal: Principal, limit: int = 50) -> list[Wiedervorlage]:
    """Open Wiedervorlagen due today or earlier for the user or their units.

    Each row carries ``may_close``: whether the user may mark it done (the same query).
    """
    today = timezone.localdate()
    return list(
        permitted(Wiedervorlage, principal=principal, action=Action.VIEW)
        .filter(erledigt_am__isnull=True, faellig_am__lte=today)
        .filter(
            Q(fuer_user_id__in=principal.acting_user_ids()) | Q(fuer_oe_id__in=principal.unit_ids())
        )
        .annotate(may_close=permits(Wiedervorlage, principal=principal, action=Action.CHANGE))
        .select_related("akte", "vorgang__akte", "fuer_user", "fuer_oe")
        .order_by("faellig_am", "pk")[:limit]
    )
