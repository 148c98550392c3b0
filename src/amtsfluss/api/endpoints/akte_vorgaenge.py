"""Vorgänge: list, inbox, open one in an Akte, read, change, move to another Akte."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import P, PathEx, Query, Router, Status

from amtsfluss.akte.access import access_akte, access_vorgang
from amtsfluss.akte.models import Vorgang
from amtsfluss.akte.selectors.inbox import inbox_page
from amtsfluss.akte.services.vorgang import vorgang_create, vorgang_move, vorgang_update
from amtsfluss.api.auth import principal
from amtsfluss.api.endpoints.akte_common import clean_unit, clean_user
from amtsfluss.api.schemas import (
    AUTH_ERRORS,
    MAX_ID,
    OBJECT_ERRORS,
    WRITE_ERRORS,
    PageParams,
    paginate,
)
from amtsfluss.api.schemas_akte import (
    InboxParams,
    VorgangFilter,
    VorgangIn,
    VorgangMoveIn,
    VorgangOut,
    VorgangPage,
    VorgangPatch,
)
from amtsfluss.core.permissions import Action, permitted

router = Router(tags=["vorgaenge"])

ObjectId = PathEx[int, P(ge=1, le=MAX_ID)]


@router.get("/vorgaenge", response={200: VorgangPage, **AUTH_ERRORS}, operation_id="vorgaenge_list")
def vorgaenge_list(
    request: HttpRequest, page: Query[PageParams], filters: Query[VorgangFilter]
) -> dict[str, Any]:
    """The Vorgänge of all Akten the caller may see, newest first."""
    caller = principal(request)
    rows = permitted(
        Vorgang,
        principal=caller,
        action=Action.VIEW,
        queryset=Vorgang.objects.select_related("akte", "bearbeitende_oe", "bearbeiter"),
    )
    if filters.akte is not None:
        rows = rows.filter(akte_id=filters.akte)
    if filters.status is not None:
        rows = rows.filter(status=filters.status)
    if filters.bearbeiter == "me":
        rows = rows.filter(bearbeiter=caller.user)
    return paginate(rows.order_by("-eingangsdatum", "-pk"), page)


@router.get("/inbox", response={200: VorgangPage, **AUTH_ERRORS}, operation_id="inbox")
def inbox(request: HttpRequest, page: Query[PageParams], params: Query[InboxParams]) -> Any:
    """'Mein Posteingang': open Vorgänge, earliest Frist first."""
    result = inbox_page(
        principal=principal(request), view=params.view, offset=page.offset, limit=page.limit
    )
    return {
        "count": result.total,
        "limit": result.limit,
        "offset": result.offset,
        "items": result.vorgaenge,
    }


@router.post(
    "/akten/{id}/vorgaenge",
    response={201: VorgangOut, **WRITE_ERRORS},
    tags=["akten"],
    operation_id="vorgaenge_create",
)
def vorgaenge_create(request: HttpRequest, id: ObjectId, data: VorgangIn) -> Status[Vorgang]:
    """Open a Vorgang in an open Akte the caller may work on."""
    caller = principal(request)
    akte = access_akte(caller, id, Action.CHANGE)
    vorgang = vorgang_create(
        principal=caller,
        akte=akte,
        betreff=data.betreff,
        eingangsdatum=data.eingangsdatum,
        bearbeiter=clean_user(caller, data.bearbeiter_id),
        bearbeitende_oe=clean_unit(caller, data.bearbeitende_oe_id),
        frist=data.frist,
    )
    return Status(201, vorgang)


@router.get(
    "/vorgaenge/{id}", response={200: VorgangOut, **OBJECT_ERRORS}, operation_id="vorgaenge_get"
)
def vorgaenge_get(request: HttpRequest, id: ObjectId) -> Vorgang:
    return access_vorgang(principal(request), id)


@router.patch(
    "/vorgaenge/{id}", response={200: VorgangOut, **WRITE_ERRORS}, operation_id="vorgaenge_update"
)
def vorgaenge_update(request: HttpRequest, id: ObjectId, data: VorgangPatch) -> Vorgang:
    """Change status, Bearbeiter:in or Frist; the Akte must be open."""
    caller = principal(request)
    vorgang = access_vorgang(caller, id, Action.CHANGE)
    unassign = "bearbeiter_id" in data.model_fields_set and data.bearbeiter_id is None
    return vorgang_update(
        principal=caller,
        vorgang=vorgang,
        status=data.status,
        bearbeiter=clean_user(caller, data.bearbeiter_id),
        unassign=unassign,
        frist=data.frist,
    )


@router.post(
    "/vorgaenge/{id}/move",
    response={200: VorgangOut, **WRITE_ERRORS},
    operation_id="vorgaenge_move",
)
def vorgaenge_move(request: HttpRequest, id: ObjectId, data: VorgangMoveIn) -> Vorgang:
    """Move the Vorgang (with its Dokumente) into another open Akte the caller may work on."""
    caller = principal(request)
    vorgang = access_vorgang(caller, id, Action.CHANGE)
    target = access_akte(caller, data.akte_id, Action.CHANGE)
    return vorgang_move(principal=caller, vorgang=vorgang, target=target)
