"""The files of an invoice and of a Zahlungslauf on the pages — the API's downloads
(``api/endpoints/rechnung_common.py``): attachments with safe names, ``nosniff``, audited.

A file that cannot be delivered (damaged bytes, no readable content, no such attachment) is a
page with the reason, never a 500 with a trace.
"""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from amtsfluss.api.endpoints.rechnung_common import (
    CSV,
    PAIN001,
    PDF,
    embedded_attachment,
    made_download,
    original_media_type,
    readable_pdf,
    stored_download,
)
from amtsfluss.core.errors import ServiceError
from amtsfluss.rechnung.selectors.pages import access_zahlungslauf
from amtsfluss.rechnung.selectors.rechnungen import access_rechnung
from amtsfluss.web.access import staff_principal


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponseBase:
    return render(request, "rechnung/file_failed.html", {"message": message}, status=status)


def _for_pages(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    if isinstance(response, JsonResponse) and response.status_code >= 500:
        return _refused(request, json.loads(response.content)["detail"], response.status_code)
    return response


@login_required
@require_GET
def original(request: HttpRequest, pk: int) -> HttpResponseBase:
    principal = staff_principal(request)
    rechnung = access_rechnung(principal, pk)
    response = stored_download(
        principal=principal,
        obj=rechnung,
        blob=rechnung.original,
        filename=rechnung.dateiname,
        media_type=original_media_type(rechnung),
        what="original",
    )
    return _for_pages(request, response)


@login_required
@require_GET
def lesbare_fassung(request: HttpRequest, pk: int) -> HttpResponseBase:
    principal = staff_principal(request)
    rechnung = access_rechnung(principal, pk)
    try:
        content = readable_pdf(rechnung)
    except ServiceError as exc:
        return _refused(request, exc.message, 404)
    return made_download(
        principal=principal,
        obj=rechnung,
        content=content,
        filename=f"{rechnung.eingangsnummer}.pdf",
        media_type=PDF,
        what="lesbare_fassung",
    )


@login_required
@require_GET
def anhang(request: HttpRequest, pk: int) -> HttpResponseBase:
    principal = staff_principal(request)
    rechnung = access_rechnung(principal, pk)
    try:
        filename, media_type, content = embedded_attachment(
            rechnung, request.GET.get("referenz", "")[:200]
        )
    except ServiceError as exc:
        return _refused(request, exc.message, 404)
    # the declared media type is the sender's word: never shown inline, never sniffed
    return made_download(
        principal=principal,
        obj=rechnung,
        content=content,
        filename=filename,
        media_type=media_type,
        what=f"anhang:{filename}",
    )


@login_required
@require_GET
def zahlungsdatei(request: HttpRequest, pk: int, art: str) -> HttpResponseBase:
    """The pain.001 (``art`` = ``pain001``) or the CSV of a Zahlungslauf (Kasse)."""
    principal = staff_principal(request)
    run = access_zahlungslauf(principal, pk)
    blob, suffix, media_type = (
        (run.pain001, "pain001.xml", PAIN001) if art == "pain001" else (run.csv, "csv", CSV)
    )
    response = stored_download(
        principal=principal,
        obj=run,
        blob=blob,
        filename=f"{run.nummer}.{suffix}",
        media_type=media_type,
        what=art,
    )
    return _for_pages(request, response)
