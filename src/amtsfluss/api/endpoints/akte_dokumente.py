"""Dokumente: list and file into a Vorgang, read, add versions, move, download a version.

Uploads are multipart (form fields and ``file``); the size limit stops them early (413, see
``api.downloads``). The server decides the stored media type from the file name's extension
(standard table, not the client's header) and stores the bytes content-addressed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponseBase
from ninja import File, Form, P, PathEx, Query, Router, Status, UploadedFile
from ninja.decorators import decorate_view

from amtsfluss.akte.access import access_dokument, access_dokumentversion, access_vorgang
from amtsfluss.akte.models import Dokument, Dokumentversion
from amtsfluss.akte.services.dokument import dokument_create, dokument_move, dokumentversion_add
from amtsfluss.api.auth import principal
from amtsfluss.api.downloads import blob_download, limit_upload_size, media_type_for
from amtsfluss.api.schemas import (
    MAX_ID,
    OBJECT_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    PageParams,
    paginate,
)
from amtsfluss.api.schemas_akte import (
    DokumentForm,
    DokumentMoveIn,
    DokumentOut,
    DokumentPage,
    DokumentversionOut,
    VersionForm,
)
from amtsfluss.core.permissions import Action

router = Router(tags=["dokumente"])

ObjectId = PathEx[int, P(ge=1, le=MAX_ID)]
#: Upload operations may also answer 413 (file larger than AMTSFLUSS_MAX_UPLOAD_BYTES).
UPLOAD_ERRORS = {**WRITE_ERRORS, 413: ErrorOut}


def _with_versions(rows: QuerySet[Dokument]) -> QuerySet[Dokument]:
    return rows.prefetch_related(
        Prefetch(
            "versionen",
            queryset=Dokumentversion.objects.select_related("blob", "created_by").order_by(
                "-nummer", "rendition"
            ),
        )
    )


def _dokument(pk: int) -> Dokument:
    """A Dokument already authorized, with its versions, for the answer."""
    return _with_versions(Dokument.objects.filter(pk=pk)).get()


@router.get(
    "/vorgaenge/{id}/dokumente",
    response={200: DokumentPage, **OBJECT_ERRORS},
    operation_id="dokumente_list",
)
def dokumente_list(request: HttpRequest, id: ObjectId, page: Query[PageParams]) -> dict[str, Any]:
    """The Vorgang's Dokumente by date, each with all its versions (newest first)."""
    vorgang = access_vorgang(principal(request), id)
    rows = _with_versions(Dokument.objects.filter(vorgang=vorgang))
    return paginate(rows.order_by("dokumentdatum", "pk"), page)


@router.post(
    "/vorgaenge/{id}/dokumente",
    response={201: DokumentOut, **UPLOAD_ERRORS},
    operation_id="dokumente_create",
)
@decorate_view(limit_upload_size)
def dokumente_create(
    request: HttpRequest,
    id: ObjectId,
    data: Form[DokumentForm],
    file: File[UploadedFile],
) -> Status[Dokument]:
    """File a new Dokument with its first version (multipart: the fields and ``file``)."""
    caller = principal(request)
    vorgang = access_vorgang(caller, id, Action.CHANGE)
    name = file.name or ""
    dokument = dokument_create(
        principal=caller,
        vorgang=vorgang,
        titel=data.titel,
        dokumentdatum=data.dokumentdatum,
        richtung=data.richtung,
        dokumenttyp=data.dokumenttyp,
        content=file,
        dateiname=name,
        media_type=media_type_for(name),
        absender_empfaenger=data.absender_empfaenger,
        kommentar=data.kommentar,
    )
    return Status(201, _dokument(dokument.pk))


@router.get(
    "/dokumente/{id}", response={200: DokumentOut, **OBJECT_ERRORS}, operation_id="dokumente_get"
)
def dokumente_get(request: HttpRequest, id: ObjectId) -> Dokument:
    """A Dokument with all its versions. Reading one of a confidential Akte is audited."""
    return _dokument(access_dokument(principal(request), id).pk)


@router.post(
    "/dokumente/{id}/versionen",
    response={201: DokumentversionOut, **UPLOAD_ERRORS},
    operation_id="dokumente_version_add",
)
@decorate_view(limit_upload_size)
def dokumente_version_add(
    request: HttpRequest, id: ObjectId, data: Form[VersionForm], file: File[UploadedFile]
) -> Status[Dokumentversion]:
    """Add a version: an original gets the next number (``kommentar`` says why); an archival
    rendition (PDF/A) sits beside the current version's original."""
    caller = principal(request)
    dokument = access_dokument(caller, id, Action.CHANGE)
    name = file.name or ""
    version = dokumentversion_add(
        principal=caller,
        dokument=dokument,
        content=file,
        dateiname=name,
        media_type=media_type_for(name),
        kommentar=data.kommentar,
        rendition=data.rendition,
    )
    return Status(201, version)


@router.post(
    "/dokumente/{id}/move",
    response={200: DokumentOut, **WRITE_ERRORS},
    operation_id="dokumente_move",
)
def dokumente_move(request: HttpRequest, id: ObjectId, data: DokumentMoveIn) -> Dokument:
    """Move the Dokument (all versions) to another Vorgang; both Akten must be open."""
    caller = principal(request)
    dokument = access_dokument(caller, id, Action.CHANGE)
    target = access_vorgang(caller, data.vorgang_id, Action.CHANGE)
    moved = dokument_move(principal=caller, dokument=dokument, target=target)
    return _dokument(moved.pk)


@router.get(
    "/dokumentversionen/{id}/download",
    response={200: None, **OBJECT_ERRORS, 500: ErrorOut},
    operation_id="dokumentversionen_download",
    openapi_extra={
        "responses": {
            200: {
                "description": "The version's bytes as an attachment (streamed), with its "
                "stored media type or `application/octet-stream`.",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def dokumentversionen_download(request: HttpRequest, id: ObjectId) -> HttpResponseBase:
    """Download one version (audited). A file whose stored bytes fail their check is not
    delivered: 500 before the answer starts, or an aborted transfer for large files."""
    caller = principal(request)
    return blob_download(principal=caller, version=access_dokumentversion(caller, id))
