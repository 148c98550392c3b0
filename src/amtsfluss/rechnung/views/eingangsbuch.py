"""The Rechnungseingangsbuch: every received invoice one may see, filtered, sorted, paged."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from amtsfluss.akte.views.common import PAGE_SIZE, offset_of, page_number, pagination
from amtsfluss.core.models import Role
from amtsfluss.rechnung.forms import EingangsbuchFilterForm
from amtsfluss.rechnung.selectors.pages import eingangsbuch, units_for_invoices
from amtsfluss.web.access import staff_principal

#: Query parameters that filter (their presence offers "show all").
FILTERS = ("q", "status", "unit", "dubletten", "klaerung")


@never_cache
@login_required
@require_GET
def rechnungen(request: HttpRequest) -> HttpResponse:
    principal = staff_principal(request)
    form = EingangsbuchFilterForm(request.GET or None, units=units_for_invoices(principal))
    filters = form.filters()
    rows = eingangsbuch(principal=principal, filters=filters)
    number = page_number(request)
    start = offset_of(number)
    shown = list(rows[start : start + PAGE_SIZE])
    total = rows.count()
    return render(
        request,
        "rechnung/eingangsbuch.html",
        {
            "search": form,
            "rechnungen": shown,
            "pagination": pagination(request, number=number, total=total, shown=len(shown)),
            "searched": any(request.GET.get(name) for name in FILTERS),
            "sort": filters.sort,
            "is_kasse": principal.has_role(Role.KASSE),
        },
    )
