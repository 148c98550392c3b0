"""The intake page of one's units: new, in progress, needing attention, filed — and the retry
of a Klärungsfall."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from amtsfluss.akte.views.common import (
    PAGE_SIZE,
    offset_of,
    own_units,
    page_number,
    pagination,
    safe_next,
)
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.permissions import Action
from amtsfluss.posteingang.access import access_eingang
from amtsfluss.posteingang.forms import EingangFilterForm
from amtsfluss.posteingang.selectors import Ansicht, eingang_page
from amtsfluss.posteingang.services.klaerung import eingang_retry
from amtsfluss.web.access import staff_principal

#: The tabs, in order: the value of ``?liste=`` and the label.
TABS = [
    (Ansicht.NEU, gettext_lazy("New")),
    (Ansicht.IN_ARBEIT, gettext_lazy("In progress")),
    (Ansicht.KLAERUNG, gettext_lazy("Needs attention")),
    (Ansicht.ABGELEGT, gettext_lazy("Filed")),
]


def _ansicht_of(request: HttpRequest) -> Ansicht:
    try:
        return Ansicht(request.GET.get("liste", Ansicht.NEU))
    except ValueError:
        return Ansicht.NEU


@never_cache
@login_required
@require_GET
def eingaenge(request: HttpRequest) -> HttpResponse:
    principal = staff_principal(request)
    filters = EingangFilterForm(request.GET or None, units=own_units(principal))
    unit = filters.unit()
    ansicht = _ansicht_of(request)
    number = page_number(request)
    page = eingang_page(
        principal=principal,
        ansicht=ansicht,
        unit=unit,
        offset=offset_of(number),
        limit=PAGE_SIZE,
    )
    base = reverse("posteingang:eingaenge")
    kept = f"&oe={unit.pk}" if unit is not None else ""
    return render(
        request,
        "posteingang/eingaenge.html",
        {
            "filters": filters,
            "tabs": [
                {
                    "value": tab,
                    "label": label,
                    "count": page.counts[tab],
                    "url": f"{base}?liste={tab}{kept}",
                }
                for tab, label in TABS
            ],
            "ansicht": ansicht,
            "current_label": dict(TABS)[ansicht],
            "eingaenge": page.eingaenge,
            "pagination": pagination(
                request, number=number, total=page.total, shown=len(page.eingaenge)
            ),
        },
    )


@login_required
@require_POST
def wiederholen(request: HttpRequest, pk: int) -> HttpResponse:
    """Put a Klärungsfall back into the pipeline (for those who may change it); back where
    one came from."""
    principal = staff_principal(request)
    eingang = access_eingang(principal, pk, Action.CHANGE)
    try:
        eingang_retry(principal=principal, eingang=eingang)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("“%s” is being processed again.") % eingang.dateiname)
    default = f"{reverse('posteingang:eingaenge')}?liste={Ansicht.KLAERUNG}"
    return redirect(safe_next(request, default))
