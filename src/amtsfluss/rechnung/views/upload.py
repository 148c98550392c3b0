"""Upload: several invoice files at once; each is received on its own and reported on its own.

The size limit is installed before anything reads the body (``api.downloads.UploadLimitHandler``,
as for the E-Akte): a request that declares a body far beyond the limit is not read at all and
answers 413; a file that turns out too large while it arrives is discarded with a message, and
the files before it are received as usual.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from amtsfluss.akte.services.dokument import clean_filename
from amtsfluss.api.downloads import UploadLimitHandler, too_large_message
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.permissions import Action, Principal, permitted
from amtsfluss.rechnung.forms import UploadForm
from amtsfluss.rechnung.models import Kanal, Rechnung
from amtsfluss.rechnung.services.eingang import rechnung_receive
from amtsfluss.web.access import staff_principal
from amtsfluss.web.uploads import first_upload_handler, limit_before_csrf


@dataclass(frozen=True)
class UploadResult:
    """What became of one uploaded file: an entry of the register, or a refusal."""

    dateiname: str
    rechnung: Rechnung | None = None
    visible: bool = False
    reason: str = ""


def _limit(request: HttpRequest) -> UploadLimitHandler | None:
    return next((h for h in request.upload_handlers if isinstance(h, UploadLimitHandler)), None)


def _page(
    request: HttpRequest,
    form: UploadForm,
    results: list[UploadResult],
    *,
    too_large: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "rechnung/upload.html",
        {"form": form, "results": results, "too_large": too_large},
        status=status,
    )


def _unread(request: HttpRequest, handler: UploadLimitHandler) -> HttpResponse | None:
    if not handler.exceeded:
        return None
    return _page(request, UploadForm(), [], too_large=too_large_message(), status=413)


def _install_limit(request: HttpRequest) -> UploadLimitHandler:
    limit = UploadLimitHandler(request, settings.AMTSFLUSS_MAX_UPLOAD_BYTES)
    return first_upload_handler(request, limit)


#: the size limit before the CSRF check reads the body (``web.uploads``)
with_upload_limit = limit_before_csrf(_install_limit, _unread)


def _receive(principal: Principal, upload: UploadedFile[bytes]) -> UploadResult:
    name = clean_filename(upload.name or "")
    data = upload.read()
    if not data:
        return UploadResult(name, reason=_("The file is empty."))
    try:
        rechnung = rechnung_receive(
            mandant=principal.mandant,
            data=data,
            filename=name,
            channel=Kanal.UPLOAD,
            provenance={"hochgeladen_von": principal.user.username, "dateiname": name},
            principal=principal,
        )
    except ServiceError as exc:
        return UploadResult(name, reason=exc.message)
    return UploadResult(name, rechnung=rechnung, reason=_first_error(rechnung))


def _first_error(rechnung: Rechnung) -> str:
    """Why a registered file was refused (its first error finding), else nothing."""
    if rechnung.verdict == "accept":
        return ""
    errors = [f for f in rechnung.findings if f.get("level") == "error"] or rechnung.findings
    return str(errors[0].get("message", "")) if errors else ""


def _with_visibility(principal: Principal, results: list[UploadResult]) -> list[UploadResult]:
    """Which registered entries the uploader may open (one query for the whole batch)."""
    ids = [r.rechnung.pk for r in results if r.rechnung is not None]
    visible = set(
        permitted(Rechnung, principal=principal, action=Action.VIEW)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    return [
        replace(r, visible=r.rechnung is not None and r.rechnung.pk in visible) for r in results
    ]


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@with_upload_limit
def hochladen(request: HttpRequest) -> HttpResponse:
    principal = staff_principal(request)
    if request.method == "GET":
        return _page(request, UploadForm(), [])
    form = UploadForm(request.POST, request.FILES)
    limit = _limit(request)
    too_large = ""
    if limit is not None and limit.exceeded:
        name = clean_filename(limit.file_name or "")
        too_large = _("%(name)s: %(message)s Files after it were not received.") % {
            "name": name,
            "message": too_large_message(),
        }
    if not form.is_valid():
        if too_large:
            return _page(request, UploadForm(), [], too_large=too_large, status=413)
        return _page(request, form, [], status=400)
    results = [_receive(principal, upload) for upload in form.cleaned_data["dateien"]]
    status = 413 if too_large else 200
    results = _with_visibility(principal, results)
    return _page(request, UploadForm(), results, too_large=too_large, status=status)
