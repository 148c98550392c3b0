"""The platform area: Mandanten, for the platform operator's session only (404 for others)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, P, PathEx, Query, Router, Schema, Status
from pydantic import StringConstraints, field_validator

from amtsfluss.api.auth import PLATFORM_AUTH, operator
from amtsfluss.api.schemas import (
    MAX_ID,
    ErrorOut,
    Line,
    Page,
    PageParams,
    ValidationErrorOut,
    paginate,
)
from amtsfluss.core.models import Mandant
from amtsfluss.core.selectors.mandant import mandant_get, mandant_list
from amtsfluss.core.services.mandant import mandant_create

router = Router(tags=["platform"], auth=PLATFORM_AUTH)

#: Platform operations answer 404 to everybody but the operator, so no 401 is declared.
PLATFORM_ERRORS: dict[int, type[Schema]] = {404: ErrorOut, 422: ValidationErrorOut}

_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
Hostname = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        max_length=253,
        # checked before lowering the case
        pattern=rf"^{_LABEL}(\.{_LABEL})*$",
    ),
]
Slug = Annotated[str, StringConstraints(max_length=63, pattern=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")]


class MandantOut(Schema):
    id: int
    slug: str
    name: str
    is_default: bool
    is_active: bool
    created_at: datetime
    hosts: list[str]

    @staticmethod
    def resolve_hosts(obj: Mandant) -> list[str]:
        return sorted(host.hostname for host in obj.hosts.all())


class MandantPage(Page):
    items: list[MandantOut]


class MandantIn(Schema):
    slug: Slug
    name: Line = Field(min_length=1, max_length=200)
    hosts: list[Hostname] = Field(default_factory=list, max_length=20)
    is_default: bool = False

    @field_validator("hosts")
    @classmethod
    def _distinct(cls, hosts: list[str]) -> list[str]:
        if len(set(hosts)) != len(hosts):
            raise ValueError("host names must be distinct")
        return hosts


@router.get(
    "/mandanten",
    response={200: MandantPage, **PLATFORM_ERRORS},
    operation_id="platform_mandanten_list",
)
def mandanten_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    return paginate(mandant_list(by=operator(request)), page)


@router.get(
    "/mandanten/{id}",
    response={200: MandantOut, **PLATFORM_ERRORS},
    operation_id="platform_mandanten_get",
)
def mandanten_get(request: HttpRequest, id: PathEx[int, P(ge=1, le=MAX_ID)]) -> Mandant:
    return mandant_get(by=operator(request), pk=id)


@router.post(
    "/mandanten",
    response={201: MandantOut, **PLATFORM_ERRORS, 400: ErrorOut, 403: ErrorOut},
    operation_id="platform_mandanten_create",
)
def mandanten_create(request: HttpRequest, data: MandantIn) -> Status[Mandant]:
    """Create a Mandant with its host names and an empty audit chain."""
    mandant = mandant_create(
        slug=data.slug,
        name=data.name,
        hosts=data.hosts,
        is_default=data.is_default,
        by=operator(request),
    )
    return Status(201, mandant)
