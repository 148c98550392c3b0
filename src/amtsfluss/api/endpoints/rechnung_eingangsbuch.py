"""The Rechnungseingangsbuch: list, one entry with its findings and steps, upload, its files.

Upload comes two ways: multipart (``file``), or the file itself as the request body with its
name in ``?filename=`` (for the state's central e-invoice platform and suppliers' systems).
Both answer 201 with the registered entry — a file the rules refuse is registered too
(``status: abgewiesen`` with its findings). The size limit answers 413 before the body is read
where the request declares its length.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.utils.translation import gettext as _
from ninja import File, P, PathEx, Query, Router, Status, UploadedFile
from ninja.decorators import decorate_view

from amtsfluss.akte.services.dokument import clean_filename
from amtsfluss.api.auth import principal
from amtsfluss.api.downloads import limit_upload_size, too_large_message
from amtsfluss.api.endpoints.rechnung_common import (
    PDF,
    embedded_attachment,
    made_download,
    original_media_type,
    readable_pdf,
    stored_download,
)
from amtsfluss.api.schemas import (
    AUTH_ERRORS,
    MAX_ID,
    OBJECT_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    PageParams,
    paginate,
)
from amtsfluss.api.schemas_rechnung import (
    AnhangParams,
    EingangOut,
    RawUploadParams,
    RechnungDetailOut,
    RechnungFilter,
    RechnungPage,
    errors_first,
)
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.permissions import Principal
from amtsfluss.rechnung.models import Kanal, Rechnung
from amtsfluss.rechnung.selectors.pages import EingangsbuchFilter, eingangsbuch, lesung
from amtsfluss.rechnung.selectors.rechnungen import access_rechnung, rechnung_detail
from amtsfluss.rechnung.services.eingang import rechnung_receive

router = Router(tags=["rechnungen"])

ObjectId = PathEx[int, P(ge=1, le=MAX_ID)]
UPLOAD_ERRORS = {**WRITE_ERRORS, 413: ErrorOut}
#: A download of an object: not found, not readable (400), damaged bytes (500).
DOWNLOAD_ERRORS = {**OBJECT_ERRORS, 400: ErrorOut, 500: ErrorOut}
#: The raw upload's body: the file itself.
RAW_BODY = {
    "required": True,
    "content": {
        media_type: {"schema": {"type": "string", "format": "binary"}}
        for media_type in ("application/xml", "application/pdf", "application/octet-stream")
    },
}


def binary_answer(description: str) -> dict[str, Any]:
    return {
        "responses": {
            200: {
                "description": description,
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


def detail_of(caller: Principal, pk: int) -> dict[str, Any]:
    """The entry with its findings, steps, what the caller may do, duplicates, attachments."""
    detail = rechnung_detail(principal=caller, pk=pk)
    rechnung = detail.rechnung
    read = lesung(rechnung)
    return {
        "rechnung": rechnung,
        "findings": errors_first(rechnung.findings),
        "schritte": detail.schritte,
        "aktionen": detail,
        "dubletten": detail.dubletten,
        "anhaenge": list(read.invoice.attachments) if read.invoice is not None else [],
        "lesbar": read.invoice is not None,
    }


def _receive(caller: Principal, data: bytes, filename: str) -> Rechnung:
    if not data:
        raise ServiceError(_("The file is empty."), code="empty")
    name = clean_filename(filename)
    return rechnung_receive(
        mandant=caller.mandant,
        data=data,
        filename=name,
        channel=Kanal.API,
        provenance={"api_von": caller.user.username, "dateiname": name},
        principal=caller,
    )


@router.get(
    "/rechnungen", response={200: RechnungPage, **AUTH_ERRORS}, operation_id="rechnungen_list"
)
def rechnungen_list(
    request: HttpRequest, page: Query[PageParams], filters: Query[RechnungFilter]
) -> dict[str, Any]:
    """The Rechnungseingangsbuch as the caller may see it, filtered and sorted."""
    rows = eingangsbuch(
        principal=principal(request),
        filters=EingangsbuchFilter(
            status=(filters.status,) if filters.status else (),
            unit_id=filters.unit,
            nur_dubletten=filters.dubletten,
            nur_klaerung=filters.klaerung,
            query=filters.q,
            sort=filters.sort,
        ),
    ).select_related("dublette_von")
    return paginate(rows, page)


@router.post(
    "/rechnungen", response={201: EingangOut, **UPLOAD_ERRORS}, operation_id="rechnungen_upload"
)
@decorate_view(limit_upload_size)
def rechnungen_upload(request: HttpRequest, file: File[UploadedFile]) -> Status[Rechnung]:
    """Submit one e-invoice as multipart ``file`` (XRechnung UBL/CII, ZUGFeRD/Factur-X PDF)."""
    caller = principal(request)
    return Status(201, _receive(caller, file.read(), file.name or ""))


def _raw_body(request: HttpRequest) -> bytes | None:
    """The body, read up to the limit; None when it is larger (declared or found so)."""
    limit = settings.AMTSFLUSS_MAX_UPLOAD_BYTES
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > limit:
        return None  # not read at all
    data = request.read(limit + 1)
    return None if len(data) > limit else data


@router.post(
    "/rechnungen/raw",
    response={201: EingangOut, **UPLOAD_ERRORS},
    operation_id="rechnungen_upload_raw",
    openapi_extra={"requestBody": RAW_BODY},
)
def rechnungen_upload_raw(
    request: HttpRequest, params: Query[RawUploadParams]
) -> Status[Rechnung] | JsonResponse:
    """Submit one e-invoice as the request body itself, its name in ``filename``."""
    caller = principal(request)
    data = _raw_body(request)
    if data is None:
        return JsonResponse({"detail": too_large_message(), "code": "too_large"}, status=413)
    return Status(201, _receive(caller, data, params.filename))


@router.get(
    "/rechnungen/{id}",
    response={200: RechnungDetailOut, **OBJECT_ERRORS},
    operation_id="rechnungen_get",
)
def rechnungen_get(request: HttpRequest, id: ObjectId) -> dict[str, Any]:
    """One entry: what was read, the validation findings (errors first), the approval steps,
    what the caller may do now, later duplicates and the embedded attachments."""
    return detail_of(principal(request), id)


@router.get(
    "/rechnungen/{id}/original",
    response={200: None, **DOWNLOAD_ERRORS},
    operation_id="rechnungen_original",
    openapi_extra=binary_answer("The file as received (XML or PDF), as an attachment."),
)
def rechnungen_original(request: HttpRequest, id: ObjectId) -> HttpResponseBase:
    """The received file, byte for byte, verified against its SHA-256 (audited)."""
    caller = principal(request)
    rechnung = access_rechnung(caller, id)
    return stored_download(
        principal=caller,
        obj=rechnung,
        blob=rechnung.original,
        filename=rechnung.dateiname,
        media_type=original_media_type(rechnung),
        what="original",
    )


@router.get(
    "/rechnungen/{id}/pdf",
    response={200: None, **DOWNLOAD_ERRORS},
    operation_id="rechnungen_pdf",
    openapi_extra=binary_answer("The readable version (PDF/A-2b) with the validation report."),
)
def rechnungen_pdf(request: HttpRequest, id: ObjectId) -> HttpResponseBase:
    """The readable version of the invoice; 400 if its content cannot be read."""
    caller = principal(request)
    rechnung = access_rechnung(caller, id)
    return made_download(
        principal=caller,
        obj=rechnung,
        content=readable_pdf(rechnung),
        filename=f"{rechnung.eingangsnummer}.pdf",
        media_type=PDF,
        what="lesbare_fassung",
    )


@router.get(
    "/rechnungen/{id}/attachment",
    response={200: None, **DOWNLOAD_ERRORS},
    operation_id="rechnungen_attachment",
    openapi_extra=binary_answer("An embedded attachment, always as a download."),
)
def rechnungen_attachment(
    request: HttpRequest, id: ObjectId, params: Query[AnhangParams]
) -> HttpResponseBase:
    """One embedded attachment (BT-122 ``reference``) with a safe file name; 400 if absent."""
    caller = principal(request)
    rechnung = access_rechnung(caller, id)
    filename, media_type, content = embedded_attachment(rechnung, params.reference)
    return made_download(
        principal=caller,
        obj=rechnung,
        content=content,
        filename=filename,
        media_type=media_type,
        what=f"anhang:{filename}",
    )
