"""API keys: own keys (all of the Mandant for Fachadministration); revoke. Never the secret."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import P, PathEx, Query, Router, Schema

from amtsfluss.api.auth import principal
from amtsfluss.api.schemas import (
    AUTH_ERRORS,
    MAX_ID,
    OBJECT_ERRORS,
    WRITE_ERRORS,
    Page,
    PageParams,
    UserRef,
    paginate,
)
from amtsfluss.core.models import ApiKey
from amtsfluss.core.permissions import Action
from amtsfluss.core.selectors.apikeys import apikey_get, apikey_list
from amtsfluss.core.services.apikeys import apikey_revoke

router = Router(tags=["apikeys"])


class ApiKeyOut(Schema):
    id: int
    prefix: str
    name: str
    user: UserRef
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyPage(Page):
    items: list[ApiKeyOut]


@router.get("/apikeys", response={200: ApiKeyPage, **AUTH_ERRORS}, operation_id="apikeys_list")
def apikeys_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    return paginate(apikey_list(principal=principal(request)), page)


@router.get("/apikeys/{id}", response={200: ApiKeyOut, **OBJECT_ERRORS}, operation_id="apikeys_get")
def apikeys_get(request: HttpRequest, id: PathEx[int, P(ge=1, le=MAX_ID)]) -> ApiKey:
    return apikey_get(principal=principal(request), pk=id)


@router.post(
    "/apikeys/{id}/revoke",
    response={200: ApiKeyOut, **WRITE_ERRORS},
    operation_id="apikeys_revoke",
)
def apikeys_revoke(request: HttpRequest, id: PathEx[int, P(ge=1, le=MAX_ID)]) -> ApiKey:
    """Revoke a key at once (Fachadministration; idempotent)."""
    caller = principal(request)
    key = apikey_get(principal=caller, pk=id, action=Action.CHANGE)
    return apikey_revoke(key=key, by=caller.user)
