"""Reads of the Posteingang for pages and the API, always through the permission engine."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.expressions import Combinable

from amtsfluss.akte.models import Akte, AktenStatus, Vorgang
from amtsfluss.core.models import Organisationseinheit
from amtsfluss.core.permissions import Action, Principal, permits, permitted
from amtsfluss.posteingang.models import OFFENE_STATUS, Eingang, EingangStatus, Sendung


def _eingaenge(principal: Principal, unit: Organisationseinheit | None) -> QuerySet[Eingang]:
    found = permitted(Eingang, principal=principal, action=Action.VIEW)
    if unit is not None:
        found = found.filter(unit=unit)
    return found.select_related("unit", "sendung")


def klaerungsfaelle(
    *, principal: Principal, unit: Organisationseinheit | None = None
) -> QuerySet[Eingang]:
    """Eingänge that need a person: failed steps, oldest first."""
    return (
        _eingaenge(principal, unit)
        .filter(status=EingangStatus.KLAERUNG)
        .order_by("updated_at", "pk")
    )


def eingaenge_in_arbeit(
    *, principal: Principal, unit: Organisationseinheit | None = None
) -> QuerySet[Eingang]:
    return _eingaenge(principal, unit).filter(status__in=OFFENE_STATUS).order_by("received_at")


def abgewiesene(
    *, principal: Principal, unit: Organisationseinheit | None = None
) -> QuerySet[Eingang]:
    return (
        _eingaenge(principal, unit).filter(status=EingangStatus.ABGEWIESEN).order_by("-received_at")
    )


# --- the unit's intake page ---------------------------------------------------------------------


class Ansicht(StrEnum):
    """The tabs of the intake page (the value of ``?liste=``)."""

    NEU = "neu"  # received and checked, waiting for the pipeline
    IN_ARBEIT = "in-arbeit"  # a step is running
    KLAERUNG = "klaerung"  # needs a person: Klärungsfälle and refused files
    ABGELEGT = "abgelegt"  # filed as Dokumente


ANSICHT_STATUS: dict[Ansicht, tuple[str, ...]] = {
    Ansicht.NEU: (EingangStatus.NEU, EingangStatus.GEPRUEFT),
    Ansicht.IN_ARBEIT: (EingangStatus.IN_BEARBEITUNG,),
    Ansicht.KLAERUNG: (EingangStatus.KLAERUNG, EingangStatus.ABGEWIESEN),
    Ansicht.ABGELEGT: (EingangStatus.BEREIT,),
}

TAB_ITEMS = tuple(ANSICHT_STATUS.items())

#: Waiting and running ones in order of arrival; Klärungsfälle before refused files, the
#: latest first; filed ones the latest first.
_ORDER: dict[Ansicht, tuple[str | Combinable, ...]] = {
    Ansicht.NEU: ("received_at", "pk"),
    Ansicht.IN_ARBEIT: ("received_at", "pk"),
    Ansicht.KLAERUNG: (
        Case(When(status=EingangStatus.KLAERUNG, then=Value(0)), default=Value(1)),
        "-updated_at",
        "-pk",
    ),
    Ansicht.ABGELEGT: ("-finished_at", "-pk"),
}


@dataclass(frozen=True)
class EingangPage:
    eingaenge: list[Eingang]
    total: int
    counts: dict[Ansicht, int]


def with_row_facts(principal: Principal, rows: QuerySet[Eingang]) -> QuerySet[Eingang]:
    """Each row with what the page shows about it, in the row's own query:
    ``vorgang_id`` (where its Dokument is now), ``may_open`` (that Vorgang is one the
    principal may see), ``may_retry`` (the Eingang is one the principal may change), its
    ``vorschlag`` and ``may_file_vorschlag`` (the suggested Akte is open and one the principal
    may change — otherwise the page does not name it)."""
    visible = permitted(Vorgang, principal=principal, action=Action.VIEW).filter(
        pk=OuterRef("dokument__vorgang_id")
    )
    suggested = permitted(Akte, principal=principal, action=Action.CHANGE).filter(
        pk=OuterRef("vorschlag__akte_id"), status=AktenStatus.OFFEN
    )
    return rows.select_related(
        "vorschlag__akte", "vorschlag__aktenplanposition", "vorschlag__unit"
    ).annotate(
        vorgang_id=F("dokument__vorgang_id"),
        may_open=Exists(visible),
        may_retry=permits(Eingang, principal=principal, action=Action.CHANGE),
        may_file_vorschlag=Exists(suggested),
    )


def eingang_page(
    *,
    principal: Principal,
    ansicht: Ansicht,
    unit: Organisationseinheit | None = None,
    offset: int,
    limit: int,
) -> EingangPage:
    """One page of a tab, and the number of Eingänge in every tab: two queries."""
    rows = _eingaenge(principal, unit)
    counts = rows.aggregate(
        **{str(tab): Count("pk", filter=Q(status__in=in_tab)) for tab, in_tab in TAB_ITEMS}
    )
    shown = with_row_facts(
        principal, rows.filter(status__in=ANSICHT_STATUS[ansicht]).order_by(*_ORDER[ansicht])
    )
    found = {tab: counts[str(tab)] for tab in Ansicht}
    return EingangPage(
        eingaenge=list(shown[offset : offset + limit]), total=found[ansicht], counts=found
    )


def sendung_eingaenge(*, principal: Principal, sendung: Sendung) -> list[Eingang]:
    """The Eingänge of a Sendung (fetched with ``access_sendung``) in the order handed in."""
    rows = permitted(Eingang, principal=principal, action=Action.VIEW).filter(sendung=sendung)
    return list(with_row_facts(principal, rows.order_by("position", "pk")))
