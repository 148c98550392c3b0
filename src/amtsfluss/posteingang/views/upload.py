"""Upload: several files at once into the Posteingang of one of one's own units.

The limits are installed before anything reads the body (``posteingang.uploads``): a body
declared beyond the batch limit is not read (413), a file beyond the size limit is received as
refused while the others go on, too many files refuse the upload as a whole. The upload then
redirects to its Sendung, which shows each file: accepted with its processing state, or refused
with the reason. Without JavaScript this is a plain multipart form; ``hochladen.js`` adds the
drop zone and the progress of the transfer.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from amtsfluss.akte.models import Vorgang
from amtsfluss.akte.views.common import own_units
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.permissions import Principal
from amtsfluss.posteingang.access import access_sendung, target_akten, target_vorgaenge
from amtsfluss.posteingang.forms import UploadForm
from amtsfluss.posteingang.models import OFFENE_STATUS, Kanal
from amtsfluss.posteingang.selectors import sendung_eingaenge
from amtsfluss.posteingang.services.eingang import eingang_receive
from amtsfluss.posteingang.uploads import (
    BatchLimitHandler,
    batch_limit_of,
    batch_too_large_message,
    install_batch_limit,
)
from amtsfluss.web.access import staff_principal
from amtsfluss.web.uploads import limit_before_csrf

FILES_FIELD = "dateien"


def _form(principal: Principal, *args: Any, **kwargs: Any) -> UploadForm:
    return UploadForm(
        *args,
        units=own_units(principal),
        akten=target_akten(principal),
        vorgaenge=target_vorgaenge(principal),
        **kwargs,
    )


def _page(
    request: HttpRequest,
    form: UploadForm,
    *,
    ziel_vorgang: Vorgang | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "posteingang/hochladen.html",
        {"form": form, "ziel_vorgang": ziel_vorgang, "problem": problem},
        status=status,
    )


def _too_large(request: HttpRequest) -> HttpResponse:
    form = _form(staff_principal(request))
    return _page(request, form, problem=batch_too_large_message(), status=413)


def _unread(request: HttpRequest, handler: BatchLimitHandler) -> HttpResponse | None:
    return _too_large(request) if handler.body_too_large else None


with_batch_limit = limit_before_csrf(
    lambda request: install_batch_limit(request, FILES_FIELD), _unread
)


def _initial(principal: Principal, request: HttpRequest) -> dict[str, Any]:
    """The only unit preselected; a Vorgang named by ``?vorgang=`` (a link from a Vorgang) if
    the principal may file into it."""
    initial: dict[str, Any] = {}
    units = list(own_units(principal)[:2])
    if len(units) == 1:
        initial["unit"] = units[0]
    raw = request.GET.get("vorgang", "")
    if raw.isdigit() and len(raw) <= 18:  # within BIGINT
        initial["vorgang"] = target_vorgaenge(principal).filter(pk=int(raw)).first()
    return initial


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@with_batch_limit
def hochladen(request: HttpRequest) -> HttpResponse:
    principal = staff_principal(request)
    if request.method == "GET":
        initial = _initial(principal, request)
        return _page(
            request, _form(principal, initial=initial), ziel_vorgang=initial.get("vorgang")
        )
    batch = batch_limit_of(request)
    form = _form(principal, request.POST, request.FILES, batch=batch)  # reads the body
    if batch is not None and batch.body_too_large:  # not read (it passed CSRF by header)
        return _too_large(request)
    if form.is_valid():
        data = form.cleaned_data
        try:
            sendung = eingang_receive(
                mandant=principal.mandant,
                unit=data["unit"],
                files=data["dateien"],
                channel=Kanal.UPLOAD,
                provenance={"hochgeladen_von": principal.user.get_username()},
                principal=principal,
                betreff=data["betreff"],
                ziel_vorgang=data["vorgang"],
                ziel_akte=data["aktenzeichen"],
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("posteingang:sendung", pk=sendung.pk)
    ziel_vorgang = form.cleaned_data.get("vorgang") if hasattr(form, "cleaned_data") else None
    return _page(request, form, ziel_vorgang=ziel_vorgang, status=400)


@never_cache
@login_required
@require_GET
def sendung(request: HttpRequest, pk: int) -> HttpResponse:
    """What became of each file of one upload (or mail, or folder file); refreshes itself
    (htmx) while files are still being processed."""
    principal = staff_principal(request)
    found = access_sendung(principal, pk)
    eingaenge = sendung_eingaenge(principal=principal, sendung=found)
    return render(
        request,
        "posteingang/sendung.html",
        {
            "sendung": found,
            "eingaenge": eingaenge,
            "offen": any(e.status in OFFENE_STATUS for e in eingaenge),
        },
    )
