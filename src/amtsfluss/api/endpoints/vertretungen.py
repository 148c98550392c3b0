"""Vertretungen (deputies): list, read, arrange, end early."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, P, PathEx, Query, Router, Schema, Status

from amtsfluss.api.auth import principal
from amtsfluss.api.schemas import (
    AUTH_ERRORS,
    MAX_ID,
    OBJECT_ERRORS,
    WRITE_ERRORS,
    Id,
    Line,
    Moment,
    Page,
    PageParams,
    UserRef,
    paginate,
)
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import User, Vertretung
from amtsfluss.core.permissions import Action, Principal
from amtsfluss.core.selectors.users import staff_user_find
from amtsfluss.core.selectors.vertretung import vertretung_get, vertretung_list
from amtsfluss.core.services.vertretung import check_vertretung_create, vertretung_end

router = Router(tags=["vertretungen"])


class VertretungOut(Schema):
    id: int
    vertretene_person: UserRef
    vertretung: UserRef
    valid_from: datetime
    valid_until: datetime
    reason: str
    created_by: UserRef
    created_at: datetime


class VertretungPage(Page):
    items: list[VertretungOut]


class VertretungFilter(Schema):
    current: bool | None = Field(
        None, description="true: only those in force now; false: only past and future ones."
    )


class VertretungIn(Schema):
    vertretene_person_id: Id
    vertretung_id: Id = Field(description="The deputy.")
    valid_from: Moment
    valid_until: Moment
    reason: Line = Field("", max_length=200)


def _clean_person(caller: Principal, pk: int) -> User:
    person = staff_user_find(principal=caller, pk=pk)
    if person is None:
        raise ServiceError(_("Unknown person: %s") % pk, code="unknown_person")
    return person


@router.get(
    "/vertretungen",
    response={200: VertretungPage, **AUTH_ERRORS},
    operation_id="vertretungen_list",
)
def vertretungen_list(
    request: HttpRequest, page: Query[PageParams], filters: Query[VertretungFilter]
) -> dict[str, Any]:
    """Seen by both persons, the Amtsleitung over the represented person, Fachadmin, DSB."""
    return paginate(vertretung_list(principal=principal(request), current=filters.current), page)


@router.get(
    "/vertretungen/{id}",
    response={200: VertretungOut, **OBJECT_ERRORS},
    operation_id="vertretungen_get",
)
def vertretungen_get(request: HttpRequest, id: PathEx[int, P(ge=1, le=MAX_ID)]) -> Vertretung:
    return vertretung_get(principal=principal(request), pk=id)


@router.post(
    "/vertretungen",
    response={201: VertretungOut, **WRITE_ERRORS},
    operation_id="vertretungen_create",
)
def vertretungen_create(request: HttpRequest, data: VertretungIn) -> Status[Vertretung]:
    """Arrange a Vertretung: for oneself, as Amtsleitung for one's staff, or as Fachadmin."""
    caller = principal(request)
    row = check_vertretung_create(
        principal=caller,
        vertretene_person=_clean_person(caller, data.vertretene_person_id),
        vertretung=_clean_person(caller, data.vertretung_id),
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        reason=data.reason,
    )
    return Status(201, row)


@router.post(
    "/vertretungen/{id}/end",
    response={200: VertretungOut, 204: None, **WRITE_ERRORS},
    operation_id="vertretungen_end",
)
def vertretungen_end(
    request: HttpRequest, id: PathEx[int, P(ge=1, le=MAX_ID)]
) -> Vertretung | Status[None]:
    """End a Vertretung now (200, the ended row); one not yet begun is cancelled (204).

    Allowed to those who may arrange it; for everybody else it does not exist (404).
    """
    caller = principal(request)
    row = vertretung_get(principal=caller, pk=id, action=Action.CHANGE)
    ended = vertretung_end(principal=caller, vertretung=row)
    return Status(204, None) if ended is None else ended
