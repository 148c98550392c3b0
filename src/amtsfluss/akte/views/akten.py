"""Akten: the list one may see, the file cover (Akte page) and what one does with an Akte.

Each action has its own URL (POST). A form with errors re-renders the Akte page with that form
open and its messages; an action without fields (zdA, reopen, withdraw access) reports a refusal
as a message on the Akte page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from amtsfluss.akte.access import access_akte
from amtsfluss.akte.forms import (
    AkteSearchForm,
    BeteiligungForm,
    RefileForm,
    VorgangCreateForm,
    WiedervorlageForm,
)
from amtsfluss.akte.models import Akte, AktenStatus, Beteiligung, VorgangStatus
from amtsfluss.akte.selectors.akte import akte_cover
from amtsfluss.akte.services.akte import (
    akte_close,
    akte_refile,
    akte_reopen,
    beteiligung_grant,
    beteiligung_revoke,
)
from amtsfluss.akte.services.vorgang import vorgang_create
from amtsfluss.akte.services.wiedervorlage import wiedervorlage_create
from amtsfluss.akte.views.common import (
    PAGE_SIZE,
    active_staff,
    all_units,
    back_to,
    may_change_akte,
    offset_of,
    page_number,
    pagination,
    staff_of_unit,
)
from amtsfluss.akte.views.history import history_rows
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.permissions import Action, Principal, access, permitted
from amtsfluss.web.access import staff_principal

#: The action forms of the Akte page: name → prefix of its fields (ids stay unique on the page).
FORMS = {
    "vorgang_form": "vorgang",
    "wiedervorlage_form": "wv",
    "refile_form": "umprotokollieren",
    "beteiligung_form": "beteiligung",
}


# --- list ---------------------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def akten(request: HttpRequest) -> HttpResponse:
    """The Akten one may see, by Aktenzeichen; search by Aktenzeichen or title, and status."""
    principal = staff_principal(request)
    search = AkteSearchForm(request.GET or None)
    rows = permitted(
        Akte,
        principal=principal,
        action=Action.VIEW,
        queryset=Akte.objects.select_related("position", "federfuehrende_oe"),
    )
    if search.is_valid():
        if query := search.cleaned_data["q"].strip():
            rows = rows.filter(Q(aktenzeichen__icontains=query) | Q(titel__icontains=query))
        if status := search.cleaned_data["status"]:
            rows = rows.filter(status=status)
    number = page_number(request)
    start = offset_of(number)
    shown = list(rows.order_by("aktenzeichen", "pk")[start : start + PAGE_SIZE])
    total = rows.count()
    return render(
        request,
        "akte/akten.html",
        {
            "search": search,
            "akten": shown,
            "pagination": pagination(request, number=number, total=total, shown=len(shown)),
            "searched": bool(request.GET.get("q") or request.GET.get("status")),
        },
    )


# --- the Akte page ------------------------------------------------------------------------------


def _form(principal: Principal, akte: Akte, name: str, data: Any = None) -> forms.Form:
    """One action form of the Akte page, bound to ``data`` when it was submitted."""
    prefix = FORMS[name]
    if name == "vorgang_form":
        staff_here = staff_of_unit(principal, akte.federfuehrende_oe_id)
        return VorgangCreateForm(staff=staff_here, data=data, prefix=prefix)
    if name == "wiedervorlage_form":
        return WiedervorlageForm(
            staff=active_staff(principal), units=all_units(principal), data=data, prefix=prefix
        )
    if name == "refile_form":
        return RefileForm(principal=principal, data=data, prefix=prefix)
    return BeteiligungForm(
        staff=active_staff(principal),
        units=None if akte.is_confidential else all_units(principal),
        data=data,
        prefix=prefix,
    )


def _actions(akte: Akte, may_change: bool) -> set[str]:
    """The action forms the page offers (the template shows these, and a failed one)."""
    is_open = akte.status != AktenStatus.ZDA
    offered = {"wiedervorlage_form"}
    if may_change:
        offered.add("beteiligung_form")
        if is_open:
            offered.update({"vorgang_form", "refile_form"})
    return offered


def _render_akte(
    request: HttpRequest,
    principal: Principal,
    pk: int,
    *,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The Akte page (its read is audited for a confidential Akte, also after a failed form).

    The action forms sit in closed disclosures and are built only when one is opened: a failed
    form comes back bound; ``?formular=NAME`` asks for one (htmx loads it when its disclosure
    opens, and without JavaScript its link reloads the page with it). Their choice lists
    (colleagues, units, Aktenplan positions) were a third of the page's time.
    """
    akte = access_akte(principal, pk)
    cover = akte_cover(principal=principal, akte=akte)
    may_change = may_change_akte(principal, akte.pk)
    offered = _actions(akte, may_change)
    page_forms: dict[str, forms.Form] = dict(bound or {})
    requested = request.GET.get("formular", "")
    if not page_forms and requested in offered:
        page_forms[requested] = _form(principal, akte, requested)
    open_vorgaenge = sum(1 for v in cover.vorgaenge if v.status != VorgangStatus.ERLEDIGT)
    betreff = {v.pk: v.betreff for v in cover.vorgaenge}
    return render(
        request,
        "akte/akte.html",
        {
            "akte": akte,
            "cover": cover,
            "position": akte.position,
            "history": history_rows(principal=principal, events=cover.history),
            "beteiligungen": list(
                Beteiligung.objects.filter(akte=akte)
                .select_related("unit", "user")
                .order_by("created_at", "pk")
            ),
            "may_change": may_change,
            "offered": offered,
            "is_closed": akte.status == AktenStatus.ZDA,
            "open_vorgaenge": open_vorgaenge,
            # (Wiedervorlage, may mark it done: works on the Akte, the Vorgang it concerns)
            "wiedervorlagen": [
                (row, may_change, betreff.get(row.vorgang_id or 0)) for row in cover.wiedervorlagen
            ],
            "opened": next(iter(page_forms), None),
            "now": timezone.now(),
            "today": timezone.localdate(),
            **page_forms,
        },
        status=status,
    )


@never_cache
@login_required
@require_GET
def akte(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_akte(request, staff_principal(request), pk)


def _failed(
    request: HttpRequest, principal: Principal, akte: Akte, name: str, form: forms.Form
) -> HttpResponse:
    return _render_akte(request, principal, akte.pk, bound={name: form}, status=400)


@never_cache
@login_required
@require_POST
def vorgang_neu(request: HttpRequest, pk: int) -> HttpResponse:
    principal = staff_principal(request)
    akte = access_akte(principal, pk, Action.CHANGE)
    form = _form(principal, akte, "vorgang_form", request.POST)
    if form.is_valid():
        try:
            vorgang = vorgang_create(principal=principal, akte=akte, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The Vorgang has been opened."))
            return back_to("akte:vorgang", vorgang.pk)
    return _failed(request, principal, akte, "vorgang_form", form)


@never_cache
@login_required
@require_POST
def wiedervorlage_neu(request: HttpRequest, pk: int) -> HttpResponse:
    """Set a reminder on the Akte (whoever sees the Akte may remind themselves or others)."""
    principal = staff_principal(request)
    akte = access_akte(principal, pk)
    form = _form(principal, akte, "wiedervorlage_form", request.POST)
    if form.is_valid():
        try:
            wiedervorlage_create(principal=principal, akte=akte, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The Wiedervorlage has been set."))
            return back_to("akte:akte", akte.pk)
    return _failed(request, principal, akte, "wiedervorlage_form", form)


@never_cache
@login_required
@require_POST
def umprotokollieren(request: HttpRequest, pk: int) -> HttpResponse:
    principal = staff_principal(request)
    akte = access_akte(principal, pk, Action.CHANGE)
    form = _form(principal, akte, "refile_form", request.POST)
    if form.is_valid():
        old = akte.aktenzeichen
        try:
            akte = akte_refile(
                principal=principal, akte=akte, position=form.cleaned_data["kennzeichen"]
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("The Akte has been re-filed: %(new)s (formerly %(old)s).")
                % {"new": akte.aktenzeichen, "old": old},
            )
            return back_to("akte:akte", akte.pk)
    return _failed(request, principal, akte, "refile_form", form)


@never_cache
@login_required
@require_POST
def beteiligung_neu(request: HttpRequest, pk: int) -> HttpResponse:
    principal = staff_principal(request)
    akte = access_akte(principal, pk, Action.CHANGE)
    form = _form(principal, akte, "beteiligung_form", request.POST)
    if form.is_valid():
        try:
            beteiligung_grant(
                principal=principal,
                akte=akte,
                unit=form.cleaned_data.get("unit"),
                user=form.cleaned_data.get("user"),
                darf_bearbeiten=form.cleaned_data["darf_bearbeiten"],
                gueltig_bis=form.cleaned_data["gueltig_bis"],
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Access has been granted."))
            return back_to("akte:akte", akte.pk)
    return _failed(request, principal, akte, "beteiligung_form", form)


@login_required
@require_POST
def beteiligung_entziehen(request: HttpRequest, pk: int, beteiligung: int) -> HttpResponse:
    principal = staff_principal(request)
    akte = access_akte(principal, pk, Action.CHANGE)
    grant = access(
        Beteiligung,
        principal=principal,
        action=Action.CHANGE,
        pk=beteiligung,
        queryset=Beteiligung.objects.filter(akte=akte).select_related("akte"),
    )
    beteiligung_revoke(principal=principal, beteiligung=grant)
    messages.success(request, _("Access has been withdrawn."))
    return back_to("akte:akte", akte.pk)


@login_required
@require_POST
def zda(request: HttpRequest, pk: int) -> HttpResponse:
    principal = staff_principal(request)
    akte = access_akte(principal, pk, Action.CHANGE)
    try:
        closed = akte_close(principal=principal, akte=akte)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The Akte %s is closed (zdA).") % closed.aktenzeichen)
    return back_to("akte:akte", akte.pk)


@login_required
@require_POST
def wieder_oeffnen(request: HttpRequest, pk: int) -> HttpResponse:
    principal = staff_principal(request)
    akte = access_akte(principal, pk, Action.CHANGE)
    try:
        akte_reopen(principal=principal, akte=akte)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The Akte %s is open again.") % akte.aktenzeichen)
    return back_to("akte:akte", akte.pk)
