"""Files on the pages: download, in-browser view of PDFs, and the size limit of uploads.

The streaming, the safe file names, the media types and the upload limit are the API's
(``amtsfluss.api.downloads``), so a file leaves and enters the system in one way only.

Download (``…/download``)
    Always an attachment (ASVS 5.3.x), audited as ``dokument.download``.
Inline view (``…/ansicht``)
    Only a version whose stored media type is ``application/pdf``, shown inline for the
    ``<iframe>`` of the Vorgang page. The response may be framed by this site only
    (``frame-ancestors 'self'``, ``X-Frame-Options: SAMEORIGIN`` — the site forbids framing
    otherwise), is sandboxed (``Content-Security-Policy: sandbox``: no script, no form, an
    opaque origin even if the bytes were not a PDF) and is never sniffed (``nosniff``). Any
    other version answers with a redirect to its download.
Uploads
    ``with_upload_limit`` installs the limit before anything reads the body; Django's CSRF
    check reads the body too, so it runs after the limit (Django's documented order for
    upload handlers). A file over the limit is discarded while it arrives; the view then shows
    the service's message and writes nothing.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.utils.csp import CSP
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET

from amtsfluss.akte.access import access_dokumentversion
from amtsfluss.akte.models import Dokumentversion
from amtsfluss.api.downloads import (
    UploadLimitHandler,
    attachment_disposition,
    blob_download,
    safe_media_type,
    too_large_message,
)
from amtsfluss.api.downloads import media_type_for as media_type_of
from amtsfluss.web.access import staff_principal
from amtsfluss.web.uploads import first_upload_handler, limit_before_csrf

__all__ = [
    "INLINE_MEDIA_TYPE",
    "ansicht",
    "download",
    "is_viewable",
    "media_type_of",
    "too_large_message",
    "upload_exceeded",
    "with_upload_limit",
]

INLINE_MEDIA_TYPE = "application/pdf"

#: The whole policy of the inline view: nothing may load, nothing may frame it but this site.
#: (``True`` renders a directive without a value, as Django's CSP documentation says.)
INLINE_CSP: dict[str, Any] = {
    "default-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.NONE],
    "frame-ancestors": [CSP.SELF],
    "sandbox": True,
}


def is_viewable(version: Dokumentversion) -> bool:
    """Whether the browser may show the version inline (PDF only)."""
    return safe_media_type(version.media_type) == INLINE_MEDIA_TYPE


def _for_pages(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """A refused file (damaged or missing bytes) as a page rather than the API's JSON."""
    if isinstance(response, JsonResponse) and response.status_code >= 500:
        detail = json.loads(response.content)["detail"]
        return render(request, "akte/file_failed.html", {"message": detail}, status=500)
    return response


@login_required
@require_GET
def download(request: HttpRequest, pk: int) -> HttpResponseBase:
    principal = staff_principal(request)
    version = access_dokumentversion(principal, pk)
    return _for_pages(request, blob_download(principal=principal, version=version))


@csp_override(INLINE_CSP)
@xframe_options_sameorigin
@login_required
@require_GET
def ansicht(request: HttpRequest, pk: int) -> HttpResponseBase:
    principal = staff_principal(request)
    version = access_dokumentversion(principal, pk)
    if not is_viewable(version):
        return redirect("akte:download", pk=version.pk)
    response = blob_download(principal=principal, version=version)
    if response.status_code != 200:
        return _for_pages(request, response)
    attachment = attachment_disposition(version.dateiname)
    response["Content-Disposition"] = "inline" + attachment.removeprefix("attachment")
    response["Content-Type"] = INLINE_MEDIA_TYPE
    return response


# --- uploads ------------------------------------------------------------------------------------


def upload_exceeded(request: HttpRequest) -> bool:
    """Whether the request's file was cut off at the size limit (see ``with_upload_limit``)."""
    return any(
        isinstance(handler, UploadLimitHandler) and handler.exceeded
        for handler in request.upload_handlers
    )


def _install_limit(request: HttpRequest) -> UploadLimitHandler:
    handler = UploadLimitHandler(request, settings.AMTSFLUSS_MAX_UPLOAD_BYTES)
    return first_upload_handler(request, handler)


def _unread(request: HttpRequest, handler: UploadLimitHandler) -> HttpResponse | None:
    """A body declared far beyond the limit is not read at all, so it also lacks its CSRF
    token: answer 413 with the message instead of the CSRF refusal."""
    if not handler.exceeded:
        return None
    return render(request, "akte/file_failed.html", {"message": too_large_message()}, status=413)


#: Limit the upload first, then check CSRF, then run the view (``web.uploads``).
with_upload_limit = limit_before_csrf(_install_limit, _unread)
