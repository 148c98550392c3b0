"""Fetch-and-authorize helpers for the E-Akte objects (404 unless permitted; audited)."""

from __future__ import annotations

from typing import Any

from amtsfluss.akte.models import Akte, Dokument, Dokumentversion, Vorgang, Wiedervorlage
from amtsfluss.core.permissions import Action, Principal, access


def access_akte(principal: Principal, pk: Any, action: str = Action.VIEW) -> Akte:
    return access(
        Akte,
        principal=principal,
        action=action,
        pk=pk,
        queryset=Akte.objects.select_related("position", "federfuehrende_oe", "created_by"),
    )


def access_vorgang(principal: Principal, pk: Any, action: str = Action.VIEW) -> Vorgang:
    return access(
        Vorgang,
        principal=principal,
        action=action,
        pk=pk,
        queryset=Vorgang.objects.select_related("akte", "bearbeitende_oe", "bearbeiter"),
    )


def access_dokument(principal: Principal, pk: Any, action: str = Action.VIEW) -> Dokument:
    return access(
        Dokument,
        principal=principal,
        action=action,
        pk=pk,
        queryset=Dokument.objects.select_related("vorgang__akte"),
    )


def access_dokumentversion(
    principal: Principal, pk: Any, action: str = Action.VIEW
) -> Dokumentversion:
    return access(
        Dokumentversion,
        principal=principal,
        action=action,
        pk=pk,
        queryset=Dokumentversion.objects.select_related("blob", "dokument__vorgang__akte"),
    )


def access_wiedervorlage(principal: Principal, pk: Any, action: str = Action.VIEW) -> Wiedervorlage:
    return access(
        Wiedervorlage,
        principal=principal,
        action=action,
        pk=pk,
        queryset=Wiedervorlage.objects.select_related("akte", "vorgang__akte"),
    )
