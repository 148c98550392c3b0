"""API keys as the principal may see them (own keys; all for Fachadministration)."""

from __future__ import annotations

from django.db.models import QuerySet

from amtsfluss.core.models import ApiKey
from amtsfluss.core.permissions import Action, Principal, access, permitted


def _keys() -> QuerySet[ApiKey]:
    return ApiKey.objects.select_related("user").defer("secret_hash")


def apikey_list(*, principal: Principal) -> QuerySet[ApiKey]:
    return permitted(ApiKey, principal=principal, action=Action.VIEW, queryset=_keys()).order_by(
        "-created_at", "-pk"
    )


def apikey_get(*, principal: Principal, pk: int, action: str = Action.VIEW) -> ApiKey:
    return access(ApiKey, principal=principal, action=action, pk=pk, queryset=_keys())
