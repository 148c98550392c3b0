"""Fetch-and-authorize for the Posteingang (404 unless permitted; audited), and the filing
targets a principal may name when handing files in.

A target (an Akte for a new Vorgang, or a Vorgang) must be open and one the principal may
work on (``change``): the pipeline files with the receiving person's rights, so naming a
target one could not file into oneself is refused here, before anything is received.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from amtsfluss.akte.models import Akte, AktenStatus, Vorgang
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.permissions import Action, Principal, access, permitted
from amtsfluss.posteingang.models import Eingang, Sendung


def access_eingang(principal: Principal, pk: Any, action: str = Action.VIEW) -> Eingang:
    return access(
        Eingang,
        principal=principal,
        action=action,
        pk=pk,
        queryset=Eingang.objects.select_related("unit", "sendung"),
    )


def access_sendung(principal: Principal, pk: Any, action: str = Action.VIEW) -> Sendung:
    return access(
        Sendung,
        principal=principal,
        action=action,
        pk=pk,
        queryset=Sendung.objects.select_related(
            "unit", "received_by", "ziel_akte", "ziel_vorgang__akte"
        ),
    )


def target_akten(principal: Principal) -> QuerySet[Akte]:
    """Open Akten the principal may file into (a new Vorgang is formed there)."""
    return permitted(Akte, principal=principal, action=Action.CHANGE).filter(
        status=AktenStatus.OFFEN
    )


def target_vorgaenge(principal: Principal) -> QuerySet[Vorgang]:
    """Vorgänge of open Akten the principal may file into."""
    return (
        permitted(Vorgang, principal=principal, action=Action.CHANGE)
        .filter(akte__status=AktenStatus.OFFEN)
        .select_related("akte")
    )


def clean_targets(
    principal: Principal, *, vorgang_id: int | None, akte_id: int | None
) -> tuple[Vorgang | None, Akte | None]:
    """The targets named by id in a request (the API), or a refusal (400) for people."""
    if vorgang_id is not None and akte_id is not None:
        raise ServiceError(_("Name either a target Vorgang or a target Akte, not both."))
    vorgang = akte = None
    if vorgang_id is not None:
        vorgang = target_vorgaenge(principal).filter(pk=vorgang_id).first()
        if vorgang is None:
            raise ServiceError(_("There is no open Vorgang with this id that you may work on."))
    if akte_id is not None:
        akte = target_akten(principal).filter(pk=akte_id).first()
        if akte is None:
            raise ServiceError(_("There is no open Akte with this id that you may work on."))
    return vorgang, akte
