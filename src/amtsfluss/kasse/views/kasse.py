"""The Kasse's pages under ``/intern/kasse/``: Forderungen (filter by state), one Forderung with
its history and the buttons to mark it paid or refunded, and the CAMT.053 upload.

List and upload are the Kasse's area (404 for anybody else); a Forderung's page is shown to
whoever may see it (the Kasse, the levying unit) through the permission engine; marking goes
through ``access(..., change)`` in the service, which only the Kasse passes.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amtsfluss.core.errors import ServiceError
from amtsfluss.core.permissions import Action, permits
from amtsfluss.kasse import camt
from amtsfluss.kasse.models import Forderung, Zustand
from amtsfluss.kasse.selectors import access_forderung, forderungen_list, historie
from amtsfluss.kasse.services.forderung import forderung_mark
from amtsfluss.kasse.services.kontoauszug import camt053_import
from amtsfluss.rechnung.views.zahlungslauf import kasse_principal
from amtsfluss.web.access import staff_principal

LIST_LIMIT = 200


@never_cache
@login_required
@require_GET
def forderungen(request: HttpRequest) -> HttpResponse:
    principal = kasse_principal(request)
    zustand = request.GET.get("zustand", "")
    if zustand not in Zustand.values:
        zustand = ""
    rows = list(forderungen_list(principal=principal, zustand=zustand)[:LIST_LIMIT])
    return render(
        request,
        "kasse/forderungen.html",
        {"rows": rows, "zustand": zustand, "zustaende": Zustand.choices, "limit": LIST_LIMIT},
    )


@never_cache
@login_required
@require_GET
def forderung(request: HttpRequest, pk: int) -> HttpResponse:
    principal = staff_principal(request)
    found = access_forderung(principal=principal, pk=pk)
    may_change = (
        Forderung.objects.filter(pk=found.pk)
        .annotate(ok=permits(Forderung, principal=principal, action=Action.CHANGE))
        .values_list("ok", flat=True)
        .first()
    )
    return render(
        request,
        "kasse/forderung.html",
        {"forderung": found, "historie": list(historie(found)), "may_change": bool(may_change)},
    )


@never_cache
@login_required
@require_POST
def markieren(request: HttpRequest, pk: int, nach: str) -> HttpResponse:
    principal = staff_principal(request)
    try:
        forderung_mark(
            principal=principal, pk=pk, nach=nach, notiz=request.POST.get("notiz", "")[:500]
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The payment state has been changed."))
    return redirect("kasse:forderung", pk=pk)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def kontoauszug(request: HttpRequest) -> HttpResponse:
    principal = kasse_principal(request)
    bericht = None
    error = ""
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("datei")
        if upload is None:
            error, status = _("Please choose a CAMT.053 file."), 400
        elif upload.size is None or upload.size > camt.MAX_BYTES:
            error = _("The file is too large (at most %(limit)s MiB).") % {
                "limit": camt.MAX_BYTES // 2**20
            }
            status = 413
        else:
            try:
                bericht = camt053_import(
                    mandant=principal.mandant,
                    data=upload.read(camt.MAX_BYTES + 1),
                    by=principal.user,
                )
            except ServiceError as exc:
                error, status = exc.message, 400
    return render(
        request, "kasse/kontoauszug.html", {"bericht": bericht, "error": error}, status=status
    )
