"""Reads of the Posteingang for pages and the API, always through the permission engine."""

from __future__ import annotations

from django.db.models import QuerySet

from amtsfluss.core.models import Organisationseinheit
from amtsfluss.core.permissions import Action, Principal, permitted
from amtsfluss.posteingang.models import OFFENE_STATUS, Eingang, EingangStatus


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
