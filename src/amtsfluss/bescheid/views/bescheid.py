"""Staff pages of the Bescheid: the Bescheide of a Vorgang (draft a new one), one Bescheid
(edit, preview as PDF, ask for the Schlusszeichnung, sign, send back), the Amtsleitung's list
"zur Schlusszeichnung", and the download of the signed PDF (through the E-Akte's download).

Each view fetches through the permission engine first (404 otherwise), then calls one service.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amtsfluss.akte.access import access_vorgang
from amtsfluss.akte.models import Dokumentversion, Rendition
from amtsfluss.akte.views.common import may_change_akte
from amtsfluss.api.downloads import attachment_disposition
from amtsfluss.bescheid.forms import AnfordernForm, BearbeitenForm, EntwerfenForm
from amtsfluss.bescheid.models import Bescheid, BescheidStatus
from amtsfluss.bescheid.permissions import SIGN
from amtsfluss.bescheid.printing import bescheid_pdf
from amtsfluss.bescheid.selectors import (
    access_bescheid,
    bescheide_for_vorgang,
    leistungen_with_vorlage,
    signers_for,
    zur_schlusszeichnung,
)
from amtsfluss.bescheid.services.bescheid import (
    bescheid_create,
    bescheid_request_signature,
    bescheid_return,
    bescheid_sign,
    bescheid_update,
)
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.permissions import Action, Principal, permitted
from amtsfluss.dienste.selectors.antrag import antrag_for_vorgang
from amtsfluss.web.access import staff_principal


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def vorgang_bescheide(request: HttpRequest, pk: int) -> HttpResponse:
    """The Bescheide of a Vorgang and, for those who work on it, "Bescheid entwerfen"."""
    principal = staff_principal(request)
    vorgang = access_vorgang(principal, pk, Action.CHANGE if request.method == "POST" else "view")
    may_draft = may_change_akte(principal, vorgang.akte_id)
    antrag = antrag_for_vorgang(vorgang)
    form = EntwerfenForm(
        request.POST or None,
        leistungen=leistungen_with_vorlage(principal=principal),
        initial={"leistung": antrag.leistung_id} if antrag else None,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                bescheid = bescheid_create(
                    principal=principal, vorgang=vorgang, leistung=form.cleaned_data["leistung"]
                )
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The draft of the Bescheid has been created."))
                return redirect("bescheid:bescheid", pk=bescheid.pk)
        status = 400
    return render(
        request,
        "bescheid/vorgang.html",
        {
            "vorgang": vorgang,
            "akte": vorgang.akte,
            "bescheide": bescheide_for_vorgang(vorgang),
            "form": form if may_draft else None,
        },
        status=status,
    )


def _may(principal: Principal, bescheid: Bescheid, action: str) -> bool:
    return permitted(Bescheid, principal=principal, action=action).filter(pk=bescheid.pk).exists()


def _render(
    request: HttpRequest,
    principal: Principal,
    bescheid: Bescheid,
    *,
    bound: dict[str, forms.Form] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    bound = bound or {}
    draft = bescheid.status == BescheidStatus.ENTWURF
    waiting = bescheid.status == BescheidStatus.ZUR_SCHLUSSZEICHNUNG
    may_change = (draft or waiting) and _may(principal, bescheid, Action.CHANGE)
    may_sign = (
        waiting
        and bescheid.requested_from_id in principal.acting_user_ids()
        and bescheid.drafted_by_id != principal.user.pk
        and _may(principal, bescheid, SIGN)
    )
    context: dict[str, Any] = {
        "bescheid": bescheid,
        "vorgang": bescheid.vorgang,
        "akte": bescheid.vorgang.akte,
        "may_change": may_change,
        "may_sign": may_sign,
        "edit_form": None,
        "request_form": None,
    }
    if draft and may_change:
        context["edit_form"] = bound.get("edit_form") or BearbeitenForm(
            initial={
                "titel": bescheid.titel,
                "tenor_zusatz": bescheid.tenor_zusatz,
                "begruendung": bescheid.begruendung,
            }
        )
        context["request_form"] = bound.get("request_form") or AnfordernForm(
            signers=_signers(principal, bescheid)
        )
    context["error"] = error
    return render(request, "bescheid/bescheid.html", context, status=status)


def _signers(principal: Principal, bescheid: Bescheid) -> Any:
    return signers_for(vorgang=bescheid.vorgang, exclude=bescheid.drafted_by).exclude(
        pk=principal.user.pk
    )


@never_cache
@login_required
@require_GET
def bescheid(request: HttpRequest, pk: int) -> HttpResponse:
    principal = staff_principal(request)
    return _render(request, principal, access_bescheid(principal, pk))


@never_cache
@login_required
@require_POST
def bearbeiten(request: HttpRequest, pk: int) -> HttpResponse:
    principal = staff_principal(request)
    found = access_bescheid(principal, pk, Action.CHANGE)
    form = BearbeitenForm(request.POST)
    if form.is_valid():
        try:
            bescheid_update(principal=principal, bescheid=found, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The draft has been saved."))
            return redirect("bescheid:bescheid", pk=found.pk)
    return _render(request, principal, found, bound={"edit_form": form}, status=400)


@never_cache
@login_required
@require_POST
def anfordern(request: HttpRequest, pk: int) -> HttpResponse:
    principal = staff_principal(request)
    found = access_bescheid(principal, pk, Action.CHANGE)
    form = AnfordernForm(request.POST, signers=_signers(principal, found))
    if form.is_valid():
        signer = form.cleaned_data["signer"]
        try:
            bescheid_request_signature(principal=principal, bescheid=found, signer=signer)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("The Schlusszeichnung has been requested from %(name)s.")
                % {"name": signer.display_name},
            )
            return redirect("bescheid:bescheid", pk=found.pk)
    return _render(request, principal, found, bound={"request_form": form}, status=400)


def _action(request: HttpRequest, pk: int, action: str, run: Any, done: str) -> HttpResponse:
    principal = staff_principal(request)
    found = access_bescheid(principal, pk, action)
    try:
        run(principal=principal, bescheid=found)
    except ServiceError as exc:
        found = access_bescheid(principal, pk)
        return _render(request, principal, found, error=exc.message, status=400)
    messages.success(request, done)
    return redirect("bescheid:bescheid", pk=found.pk)


@never_cache
@login_required
@require_POST
def zeichnen(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, SIGN, bescheid_sign, _("The Bescheid has been signed and filed."))


@never_cache
@login_required
@require_POST
def zurueckgeben(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, Action.CHANGE, bescheid_return, _("The Bescheid is a draft again."))


@never_cache
@login_required
@require_GET
def vorschau(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft as PDF, marked as not signed (always a download)."""
    principal = staff_principal(request)
    found = access_bescheid(principal, pk)
    try:
        pdf = bescheid_pdf(found)
    except ServiceError as exc:
        return _render(request, principal, found, error=exc.message, status=400)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = attachment_disposition(f"Entwurf-{found.titel}.pdf")
    return response


@never_cache
@login_required
@require_GET
def download(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed PDF: the E-Akte's download of its Dokument (which checks and audits again)."""
    principal = staff_principal(request)
    found = access_bescheid(principal, pk)
    version = (
        Dokumentversion.objects.filter(
            dokument_id=found.dokument_id, ist_aktuell=True, rendition=Rendition.ORIGINAL
        ).first()
        if found.dokument_id
        else None
    )
    if version is None:
        raise Http404
    return redirect("akte:download", pk=version.pk)


@never_cache
@login_required
@require_GET
def liste(request: HttpRequest) -> HttpResponse:
    """The Bescheide waiting for the Schlusszeichnung of the signed-in person."""
    principal = staff_principal(request)
    return render(
        request, "bescheid/liste.html", {"bescheide": zur_schlusszeichnung(principal=principal)}
    )
