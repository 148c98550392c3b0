"""Posteingang: hand in several files at once (one Sendung), and follow each one's processing.

``POST /posteingang/sendungen`` takes multipart ``files`` (repeated) and the form fields of
``SendungForm``. Each file is checked at once: a refused one (type, content, encryption, a zip
bomb, or larger than ``AMTSFLUSS_MAX_UPLOAD_BYTES`` — cut off while it arrives) is an Eingang
``abgewiesen`` with its reason, and the others go on. More than ``AMTSFLUSS_MAX_UPLOAD_FILES``
files refuse the request as a whole (400), a body declared beyond
``AMTSFLUSS_MAX_UPLOAD_BATCH_BYTES`` is not read (413); see ``posteingang.uploads``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.utils.translation import gettext as _
from ninja import File, Form, P, PathEx, Router, Status, UploadedFile
from ninja.decorators import decorate_view

from amtsfluss.api.auth import principal
from amtsfluss.api.schemas import MAX_ID, OBJECT_ERRORS, WRITE_ERRORS, ErrorOut
from amtsfluss.api.schemas_posteingang import (
    PosteingangEingangOut,
    PosteingangSendungOut,
    SendungForm,
)
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.permissions import Principal
from amtsfluss.core.selectors.organisation import unit_list
from amtsfluss.posteingang.access import access_eingang, clean_targets
from amtsfluss.posteingang.models import Eingang, Kanal, Sendung
from amtsfluss.posteingang.selectors import sendung_eingaenge
from amtsfluss.posteingang.services.eingang import eingang_receive
from amtsfluss.posteingang.uploads import (
    BatchLimitHandler,
    batch_limit_of,
    batch_too_large_message,
    install_batch_limit,
    too_many_message,
)

router = Router(tags=["posteingang"])

ObjectId = PathEx[int, P(ge=1, le=MAX_ID)]
FILES_FIELD = "files"


def limit_batch(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """For ``ninja.decorate_view``: the limits before anything (the session's CSRF check too)
    reads the body; a body that was not read answers 413 whatever the operation said."""

    @functools.wraps(run)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        handler = install_batch_limit(request, FILES_FIELD)
        response = run(request, *args, **kwargs)
        if handler.body_too_large:
            body = {"detail": batch_too_large_message(), "code": "too_large"}
            return JsonResponse(body, status=413)
        return response

    return guarded


def _batch(request: HttpRequest) -> BatchLimitHandler:
    handler = batch_limit_of(request)
    if handler is None:
        raise RuntimeError("the upload limits were not installed")
    if handler.too_many:
        raise ServiceError(too_many_message(handler.count), code="too_many_files")
    return handler


def _sendung_out(caller: Principal, sendung: Sendung) -> dict[str, Any]:
    return {
        "id": sendung.pk,
        "kanal": sendung.kanal,
        "betreff": sendung.betreff,
        "unit": sendung.unit,
        "received_at": sendung.received_at,
        "ziel_vorgang_id": sendung.ziel_vorgang_id,
        "ziel_akte_id": sendung.ziel_akte_id,
        "vorgang_id": sendung.vorgang_id,
        "eingaenge": sendung_eingaenge(principal=caller, sendung=sendung),
    }


@router.post(
    "/posteingang/sendungen",
    response={201: PosteingangSendungOut, **WRITE_ERRORS, 413: ErrorOut},
    operation_id="posteingang_sendungen_create",
)
@decorate_view(limit_batch)
def sendungen_create(
    request: HttpRequest, data: Form[SendungForm], files: File[list[UploadedFile]]
) -> Status[dict[str, Any]]:
    """Hand in files (multipart, ``files`` repeated) for one of the caller's units; answers
    with each file's state (refused ones with the reason) while the rest is processed."""
    caller = principal(request)
    batch = _batch(request)
    unit = unit_list(principal=caller).filter(code=data.unit).first()
    if unit is None:
        raise ServiceError(_("This unit does not exist."))
    ziel_vorgang, ziel_akte = clean_targets(
        caller, vorgang_id=data.ziel_vorgang_id, akte_id=data.ziel_akte_id
    )
    sendung = eingang_receive(
        mandant=caller.mandant,
        unit=unit,
        files=batch.files(files),
        channel=Kanal.API,
        provenance={"hochgeladen_von": caller.user.get_username()},
        principal=caller,
        betreff=data.betreff,
        ziel_vorgang=ziel_vorgang,
        ziel_akte=ziel_akte,
    )
    return Status(201, _sendung_out(caller, sendung))


@router.get(
    "/posteingang/eingaenge/{id}",
    response={200: PosteingangEingangOut, **OBJECT_ERRORS},
    operation_id="posteingang_eingaenge_get",
)
def eingaenge_get(request: HttpRequest, id: ObjectId) -> Eingang:
    """One received file: its processing state, the failed step and reason, its Dokument."""
    return access_eingang(principal(request), id)
