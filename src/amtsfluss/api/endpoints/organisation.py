"""Organisationseinheiten (the unit tree) and memberships."""

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
    Page,
    PageParams,
    UnitRef,
    UserRef,
    paginate,
)
from amtsfluss.core.models import Membership, Organisationseinheit
from amtsfluss.core.selectors.organisation import (
    membership_get,
    membership_list,
    unit_get,
    unit_list,
)

router = Router()


class UnitOut(Schema):
    id: int
    parent_id: int | None
    kind: str
    code: str
    name: str
    email: str
    is_active: bool


class UnitPage(Page):
    items: list[UnitOut]


class MembershipOut(Schema):
    id: int
    user: UserRef
    unit: UnitRef
    role: str
    valid_from: datetime | None
    valid_until: datetime | None


class MembershipPage(Page):
    items: list[MembershipOut]


@router.get(
    "/organisationseinheiten",
    response={200: UnitPage, **AUTH_ERRORS},
    tags=["organisation"],
    operation_id="organisationseinheiten_list",
)
def organisationseinheiten_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    """All units of the Mandant (the organisation chart is visible to all staff)."""
    return paginate(unit_list(principal=principal(request)), page)


@router.get(
    "/organisationseinheiten/{id}",
    response={200: UnitOut, **OBJECT_ERRORS},
    tags=["organisation"],
    operation_id="organisationseinheiten_get",
)
def organisationseinheiten_get(
    request: HttpRequest, id: PathEx[int, P(ge=1, le=MAX_ID)]
) -> Organisationseinheit:
    return unit_get(principal=principal(request), pk=id)


@router.get(
    "/memberships",
    response={200: MembershipPage, **AUTH_ERRORS},
    tags=["organisation"],
    operation_id="memberships_list",
)
def memberships_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    """Own memberships, those in units one leads; all for Fachadministration and Datenschutz."""
    return paginate(membership_list(principal=principal(request)), page)


@router.get(
    "/memberships/{id}",
    response={200: MembershipOut, **OBJECT_ERRORS},
    tags=["organisation"],
    operation_id="memberships_get",
)
def memberships_get(request: HttpRequest, id: PathEx[int, P(ge=1, le=MAX_ID)]) -> Membership:
    return membership_get(principal=principal(request), pk=id)
