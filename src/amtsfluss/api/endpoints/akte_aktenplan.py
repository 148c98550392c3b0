"""The Aktenplan: read by all staff, kept by Registratur and Fachadministration; export."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import P, PathEx, Query, Router, Status

from amtsfluss.akte.kennzeichen import sort_key
from amtsfluss.akte.models import Aktenplanposition
from amtsfluss.akte.services.aktenplan import position_create
from amtsfluss.akte.services.aktenplan_io import aktenplan_export
from amtsfluss.api.auth import principal
from amtsfluss.api.downloads import attachment_disposition
from amtsfluss.api.endpoints.akte_common import clean_unit
from amtsfluss.api.schemas import (
    AUTH_ERRORS,
    MAX_ID,
    OBJECT_ERRORS,
    WRITE_ERRORS,
    PageParams,
)
from amtsfluss.api.schemas_akte import (
    AktenplanExportParams,
    AktenplanpositionIn,
    AktenplanpositionOut,
    AktenplanpositionPage,
)
from amtsfluss.core.errors import PermissionDenied
from amtsfluss.core.models import Role
from amtsfluss.core.permissions import Action, access, permitted

router = Router(tags=["aktenplan"])

_MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


@router.get(
    "/aktenplan",
    response={200: AktenplanpositionPage, **AUTH_ERRORS},
    operation_id="aktenplan_list",
)
def aktenplan_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    """All positions, flat, in Kennzeichen order (``10.9`` before ``10.10``); one query.

    The order is numeric per digit group, which SQL cannot sort portably, so the Mandant's
    positions (a few hundred) are sorted here and the page is cut from them.
    """
    rows = sorted(
        permitted(Aktenplanposition, principal=principal(request), action=Action.VIEW),
        key=lambda position: (sort_key(position.kennzeichen), position.pk),
    )
    return {
        "count": len(rows),
        "limit": page.limit,
        "offset": page.offset,
        "items": rows[page.offset : page.offset + page.limit],
    }


# before /aktenplan/{id}: the path parameter would take "export" as an id
@router.get(
    "/aktenplan/export",
    response={200: None, **AUTH_ERRORS},
    operation_id="aktenplan_export",
    openapi_extra={
        "responses": {
            200: {
                "description": "The Aktenplan as a file (attachment).",
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                },
            }
        }
    },
)
def aktenplan_export_file(
    request: HttpRequest, params: Query[AktenplanExportParams]
) -> HttpResponse:
    """The whole Aktenplan as CSV (``;``, BOM, formulas defused) or JSON, for re-import."""
    caller = principal(request)
    data = aktenplan_export(mandant=caller.mandant, fmt=params.format)
    response = HttpResponse(data, content_type=_MEDIA_TYPES[params.format])
    response["Content-Disposition"] = attachment_disposition(
        f"aktenplan-{caller.mandant.slug}.{params.format}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.get(
    "/aktenplan/{id}",
    response={200: AktenplanpositionOut, **OBJECT_ERRORS},
    operation_id="aktenplan_get",
)
def aktenplan_get(request: HttpRequest, id: PathEx[int, P(ge=1, le=MAX_ID)]) -> Aktenplanposition:
    return access(Aktenplanposition, principal=principal(request), action=Action.VIEW, pk=id)


@router.post(
    "/aktenplan",
    response={201: AktenplanpositionOut, **WRITE_ERRORS},
    operation_id="aktenplan_create",
)
def aktenplan_create(request: HttpRequest, data: AktenplanpositionIn) -> Status[Aktenplanposition]:
    """Add a position below the one its Kennzeichen's prefix names (Registratur, Fachadmin)."""
    caller = principal(request)
    if not caller.allows(Action.CREATE):
        raise PermissionDenied(_("This key may not change anything."))
    if not caller.has_role(Role.REGISTRATUR, Role.FACHADMINISTRATION):
        raise PermissionDenied(_("Only Registratur and Fachadministration keep the Aktenplan."))
    position = position_create(
        mandant=caller.mandant,
        kennzeichen=data.kennzeichen,
        titel=data.titel,
        beschreibung=data.beschreibung,
        aufbewahrung_jahre=data.aufbewahrung_jahre,
        aufbewahrung_dauernd=data.aufbewahrung_dauernd,
        archivwuerdigkeit=data.archivwuerdigkeit,
        federfuehrende_oe=clean_unit(caller, data.federfuehrende_oe_id),
        by=caller.user,
    )
    return Status(201, position)
