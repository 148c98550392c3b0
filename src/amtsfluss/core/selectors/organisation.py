"""Organisationseinheiten and memberships as the principal may see them."""

from __future__ import annotations

from django.db.models import QuerySet

from amtsfluss.core.models import Membership, Organisationseinheit
from amtsfluss.core.permissions import Action, Principal, access, permitted


def unit_list(*, principal: Principal) -> QuerySet[Organisationseinheit]:
    return permitted(Organisationseinheit, principal=principal, action=Action.VIEW).order_by(
        "code", "pk"
    )


def unit_get(*, principal: Principal, pk: int) -> Organisationseinheit:
    return access(Organisationseinheit, principal=principal, action=Action.VIEW, pk=pk)


def _memberships() -> QuerySet[Membership]:
    return Membership.objects.select_related("user", "unit")


def membership_list(*, principal: Principal) -> QuerySet[Membership]:
    return permitted(
        Membership, principal=principal, action=Action.VIEW, queryset=_memberships()
    ).order_by("unit__code", "user__username", "role", "pk")


def membership_get(*, principal: Principal, pk: int) -> Membership:
    return access(
        Membership, principal=principal, action=Action.VIEW, pk=pk, queryset=_memberships()
    )


def own_memberships(*, principal: Principal) -> QuerySet[Membership]:
    """The principal's own memberships valid now (not those of persons they deputise for)."""
    own = principal.memberships().filter(user_id=principal.user.pk).select_related("unit")
    return permitted(Membership, principal=principal, action=Action.VIEW, queryset=own).order_by(
        "unit__code", "role", "pk"
    )
