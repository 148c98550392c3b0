"""The staff side of the online applications: the Anträge of one's units and one Antrag with
its form data readable at a glance. Every object goes through the permission engine
(``dienste.permissions``: an Antrag is seen exactly as its Vorgang)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from amtsfluss.core.errors import ServiceError
from amtsfluss.core.permissions import Action
from amtsfluss.dienste.models import AntragStatus
from amtsfluss.dienste.selectors.antrag import (
    access_antrag,
    antraege_visible,
    ereignisse,
    erwartet_bis,
)
from amtsfluss.dienste.selectors.entwurf import definition_of
from amtsfluss.dienste.services.antrag import STAFF_STATUS, check_antrag_status_change
from amtsfluss.dienste.services.antrag_dokumente import evaluation_of, lesefassung
from amtsfluss.web.access import staff_principal

PAGE_SIZE = 50
MAX_NOTE = 1000


@login_required
@require_GET
def antraege(request: HttpRequest) -> HttpResponse:
    principal = staff_principal(request)
    status = request.GET.get("status", "")
    found = antraege_visible(principal=principal)
    if status in AntragStatus.values:
        found = found.filter(status=status)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("seite"))
    return render(
        request,
        "dienste/intern/antraege.html",
        {"page": page, "status": status, "statuses": AntragStatus.choices},
    )


@login_required
@require_GET
def antrag(request: HttpRequest, pk: int) -> HttpResponse:
    principal = staff_principal(request)
    found = access_antrag(principal, pk)
    definition = definition_of(found.formularversion)
    fassung = lesefassung(found.leistung, definition, evaluation_of(found, definition))
    return render(
        request,
        "dienste/intern/antrag.html",
        {
            "antrag": found,
            "leistung": found.leistung,
            "vorgang": found.vorgang,
            "fassung": fassung,
            "ereignisse": ereignisse(found).select_related("by"),
            "erwartet_bis": erwartet_bis(found),
            "actions": [
                (value, AntragStatus(value).label)
                for value in STAFF_STATUS
                if value != found.status
            ],
        },
    )


@login_required
@require_POST
def antrag_status(request: HttpRequest, pk: int) -> HttpResponse:
    principal = staff_principal(request)
    found = access_antrag(principal, pk, Action.CHANGE)
    try:
        check_antrag_status_change(
            principal=principal,
            antrag=found,
            status=request.POST.get("status", "")[:40],
            note=request.POST.get("notiz", "")[:MAX_NOTE],
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The status was changed; the applicant is informed by e-mail."))
    return HttpResponseRedirect(reverse("dienste-intern:antrag", args=[found.pk]))
