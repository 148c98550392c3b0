"""Mein Posteingang: open Vorgänge of the user and their units, and Wiedervorlagen due today."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from amtsfluss.akte.access import access_wiedervorlage
from amtsfluss.akte.selectors.inbox import (
    InboxView,
    due_wiedervorlagen,
    inbox_page,
)
from amtsfluss.akte.services.wiedervorlage import wiedervorlage_erledigen
from amtsfluss.akte.views.common import PAGE_SIZE, offset_of, page_number, pagination, safe_next
from amtsfluss.core.permissions import Action
from amtsfluss.web.access import staff_principal

#: The tabs, in order: the value of ``?liste=`` and the label.
TABS = [
    (InboxView.ALL, gettext_lazy("All")),
    (InboxView.MINE, gettext_lazy("Assigned to me")),
    (InboxView.UNIT, gettext_lazy("My unit (not assigned)")),
]


def _view_of(request: HttpRequest) -> InboxView:
    try:
        return InboxView(request.GET.get("liste", InboxView.ALL))
    except ValueError:
        return InboxView.ALL


@never_cache
@login_required
@require_GET
def posteingang(request: HttpRequest) -> HttpResponse:
    principal = staff_principal(request)
    view = _view_of(request)
    number = page_number(request)
    page = inbox_page(principal=principal, view=view, offset=offset_of(number), limit=PAGE_SIZE)
    counts = page.counts
    due = due_wiedervorlagen(principal=principal)
    base = reverse("akte:posteingang")
    return render(
        request,
        "akte/posteingang.html",
        {
            "tabs": [
                {"value": tab, "label": label, "count": counts[tab], "url": f"{base}?liste={tab}"}
                for tab, label in TABS
            ],
            "view": view,
            "current_label": dict(TABS)[view],
            "vorgaenge": page.vorgaenge,
            "pagination": pagination(
                request, number=number, total=page.total, shown=len(page.vorgaenge)
            ),
            "due": [(row, row.may_close) for row in due],  # type: ignore[attr-defined]
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def wiedervorlage_erledigt(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a Wiedervorlage done (for those who may work on its Akte); back where one came from."""
    principal = staff_principal(request)
    row = access_wiedervorlage(principal, pk, Action.CHANGE)
    wiedervorlage_erledigen(principal=principal, wiedervorlage=row)
    note = row.notiz or row.faellig_am.isoformat()
    messages.success(request, _("Wiedervorlage “%s” is done.") % note)
    return redirect(safe_next(request, reverse("akte:posteingang")))
