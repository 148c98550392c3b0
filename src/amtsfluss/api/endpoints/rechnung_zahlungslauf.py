"""Zahlungsläufe (Kasse): create one from angeordnete invoices, list, read, and the files —
the SEPA transfers as pain.001.001.09 and the CSV for the finance software.

Creating the same run again (same invoices) answers the existing run; an invoice that is not
``angeordnet`` or already in another run refuses the whole request (400, ``code: conflict``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _
from ninja import P, PathEx, Query, Router, Status

from amtsfluss.api.auth import principal
from amtsfluss.api.endpoints.akte_common import require_write_key
from amtsfluss.api.endpoints.rechnung_common import CSV, PAIN001, stored_download
from amtsfluss.api.endpoints.rechnung_eingangsbuch import DOWNLOAD_ERRORS, binary_answer
from amtsfluss.api.schemas import (
    AUTH_ERRORS,
    MAX_ID,
    OBJECT_ERRORS,
    WRITE_ERRORS,
    PageParams,
    paginate,
)
from amtsfluss.api.schemas_rechnung import (
    ZahlungslaufDetailOut,
    ZahlungslaufIn,
    ZahlungslaufPage,
)
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.permissions import Action, permitted
from amtsfluss.rechnung.models import Rechnung, Zahlungslauf
from amtsfluss.rechnung.selectors.pages import access_zahlungslauf
from amtsfluss.rechnung.selectors.rechnungen import zahlungslaeufe_list
from amtsfluss.rechnung.services.zahlungslauf import zahlungslauf_create

router = Router(tags=["zahlungslaeufe"])

ObjectId = PathEx[int, P(ge=1, le=MAX_ID)]


@router.post(
    "/zahlungslaeufe",
    response={201: ZahlungslaufDetailOut, **WRITE_ERRORS},
    operation_id="zahlungslaeufe_create",
)
def zahlungslaeufe_create(request: HttpRequest, data: ZahlungslaufIn) -> Status[Zahlungslauf]:
    """Export angeordnete invoices as one Zahlungslauf; they go to status ``zur_zahlung``."""
    caller = principal(request)
    require_write_key(caller)
    ids = set(data.rechnung_ids)
    chosen = list(permitted(Rechnung, principal=caller, action=Action.CHANGE).filter(pk__in=ids))
    if len(chosen) != len(ids):
        raise ServiceError(_("One of the invoices does not exist."))
    run = zahlungslauf_create(
        principal=caller, rechnungen=chosen, ausfuehrungsdatum=data.ausfuehrungsdatum
    )
    return Status(201, access_zahlungslauf(caller, run.pk))


@router.get(
    "/zahlungslaeufe",
    response={200: ZahlungslaufPage, **AUTH_ERRORS},
    operation_id="zahlungslaeufe_list",
)
def zahlungslaeufe_list_(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    """Earlier Zahlungsläufe, newest first (Kasse; for anybody else the list is empty)."""
    rows = zahlungslaeufe_list(principal=principal(request)).select_related("created_by")
    return paginate(rows, page)


@router.get(
    "/zahlungslaeufe/{id}",
    response={200: ZahlungslaufDetailOut, **OBJECT_ERRORS},
    operation_id="zahlungslaeufe_get",
)
def zahlungslaeufe_get(request: HttpRequest, id: ObjectId) -> Zahlungslauf:
    return access_zahlungslauf(principal(request), id)


def _file(request: HttpRequest, pk: int, art: str) -> HttpResponseBase:
    caller = principal(request)
    run = access_zahlungslauf(caller, pk)
    blob, suffix, media_type = (
        (run.pain001, "pain001.xml", PAIN001) if art == "pain001" else (run.csv, "csv", CSV)
    )
    return stored_download(
        principal=caller,
        obj=run,
        blob=blob,
        filename=f"{run.nummer}.{suffix}",
        media_type=media_type,
        what=art,
    )


@router.get(
    "/zahlungslaeufe/{id}/pain001",
    response={200: None, **DOWNLOAD_ERRORS},
    operation_id="zahlungslaeufe_pain001",
    openapi_extra=binary_answer("SEPA credit transfers, pain.001.001.09 (XML)."),
)
def zahlungslaeufe_pain001(request: HttpRequest, id: ObjectId) -> HttpResponseBase:
    return _file(request, id, "pain001")


@router.get(
    "/zahlungslaeufe/{id}/csv",
    response={200: None, **DOWNLOAD_ERRORS},
    operation_id="zahlungslaeufe_csv",
    openapi_extra=binary_answer("The payments for the finance software (CSV, `;`, UTF-8)."),
)
def zahlungslaeufe_csv(request: HttpRequest, id: ObjectId) -> HttpResponseBase:
    return _file(request, id, "csv")
