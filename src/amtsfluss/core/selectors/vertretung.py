"""Vertretungen as the principal may see them."""

from __future__ import annotations

from django.db.models import QuerySet

from amtsfluss.core.models import Vertretung
from amtsfluss.core.permissions import Action, Principal, access, permitted


def _vertretungen() -> QuerySet[Vertretung]:
    return Vertretung.objects.select_related("vertretene_person", "vertretung", "created_by")


def vertretung_list(*, principal: Principal, current: bool | None = None) -> QuerySet[Vertretung]:
    """Visible Vertretungen, newest first; ``current`` keeps only those (not) in force now."""
    rows = permitted(Vertretung, principal=principal, action=Action.VIEW, queryset=_vertretungen())
    if current is not None:
        in_force = {"valid_from__lte": principal.at, "valid_until__gt": principal.at}
        rows = rows.filter(**in_force) if current else rows.exclude(**in_force)
    return rows.order_by("-valid_from", "-pk")


def vertretung_get(*, principal: Principal, pk: int, action: str = Action.VIEW) -> Vertretung:
    return access(Vertretung, principal=principal, action=action, pk=pk, queryset=_vertretungen())


def acting_for(*, principal: Principal) -> QuerySet[Vertretung]:
    """The Vertretungen in force now in which the principal deputises for somebody."""
    return (
        vertretung_list(principal=principal, current=True)
        .filter(vertretung_id=principal.user.pk, vertretene_person__is_active=True)
        .order_by("valid_until", "pk")
    )
