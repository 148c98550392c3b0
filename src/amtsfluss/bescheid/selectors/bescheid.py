"""Reads of Bescheide: per Vorgang, the Amtsleitung's list to sign, who may be asked to sign."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from amtsfluss.akte.models import Vorgang
from amtsfluss.bescheid.models import Bescheid, BescheidStatus
from amtsfluss.bescheid.permissions import SIGN
from amtsfluss.core.models import Membership, OrganisationseinheitClosure, Role, User
from amtsfluss.core.permissions import Action, Principal, access, permitted
from amtsfluss.core.permissions.principal import valid_at
from amtsfluss.dienste.models import Leistung


def access_bescheid(principal: Principal, pk: Any, action: str = Action.VIEW) -> Bescheid:
    """One Bescheid the principal may ``action`` on (404 and audited otherwise)."""
    return access(
        Bescheid,
        principal=principal,
        action=action,
        pk=pk,
        queryset=Bescheid.objects.select_related(
            "vorgang__akte",
            "vorgang__bearbeitende_oe",
            "vorgang__mandant",
            "leistung",
            "dokument",
            "drafted_by",
            "requested_from",
            "signed_by",
        ),
    )


def bescheide_for_vorgang(vorgang: Vorgang) -> QuerySet[Bescheid]:
    """The Bescheide of a Vorgang the caller has already fetched through ``access``."""
    return (
        Bescheid.objects.filter(mandant_id=vorgang.mandant_id, vorgang=vorgang)
        .select_related("leistung", "drafted_by", "requested_from", "signed_by", "dokument")
        .order_by("-created_at", "-pk")
    )


def zur_schlusszeichnung(*, principal: Principal) -> QuerySet[Bescheid]:
    """The Bescheide waiting for the principal's Schlusszeichnung (asked of them or of whom
    they deputise for), which they may sign — one query."""
    return (
        permitted(Bescheid, principal=principal, action=SIGN)
        .filter(
            status=BescheidStatus.ZUR_SCHLUSSZEICHNUNG,
            requested_from_id__in=principal.acting_user_ids(),
        )
        .select_related("vorgang__akte", "leistung", "drafted_by", "requested_from")
        .order_by("requested_at", "pk")
    )


def signers_for(*, vorgang: Vorgang, exclude: User | None = None) -> QuerySet[User]:
    """Active staff holding, now, the Amtsleitung over the Vorgang's bearbeitende OE (that unit
    or one above it) — those who may be asked for the Schlusszeichnung."""
    above = OrganisationseinheitClosure.objects.filter(
        descendant_id=vorgang.bearbeitende_oe_id
    ).values("ancestor_id")
    leads = Membership.objects.filter(
        valid_at(timezone.now()), role=Role.AMTSLEITUNG, unit_id__in=above
    ).values("user_id")
    users = User.objects.filter(mandant_id=vorgang.mandant_id, is_active=True, pk__in=leads)
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return users.order_by("last_name", "first_name", "username")


def leistungen_with_vorlage(*, principal: Principal) -> QuerySet[Leistung]:
    """The Mandant's Leistungen that have a Bescheid template (choices for a new draft)."""
    return permitted(Leistung, principal=principal, action=Action.VIEW).filter(
        bescheidvorlage__isnull=False
    )
