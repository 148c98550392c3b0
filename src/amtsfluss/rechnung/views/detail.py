"""One invoice: its entry in the register, the readable invoice, the validation report, the
approval steps so far, and the decisions the person may take now.

Each decision has its own URL (POST) and carries the status the person saw. If somebody else
decided first, the page says so (409) instead of deciding a step the person did not see; a form
with errors re-renders the page with that form open and its messages (400).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from amtsfluss.akte.models import Vorgang
from amtsfluss.akte.views.common import back_to
from amtsfluss.core.errors import PermissionDenied, ServiceError
from amtsfluss.core.permissions import Action, Principal, permitted
from amtsfluss.rechnung.forms import BestaetigenForm, ZuordnenForm, ZurueckweisenForm
from amtsfluss.rechnung.invoice.presentation import attachment_links, invoice_context
from amtsfluss.rechnung.models import Rechnung, Schritt
from amtsfluss.rechnung.selectors.pages import lesung, units_for_invoices, validation_result
from amtsfluss.rechnung.selectors.rechnungen import access_rechnung, rechnung_detail
from amtsfluss.rechnung.services.freigabe import (
    rechnung_anordnen,
    rechnung_rechnerisch_richtig,
    rechnung_sachlich_richtig,
    rechnung_zurueckweisen,
)
from amtsfluss.rechnung.services.zuordnung import rechnung_route
from amtsfluss.web.access import staff_principal

#: The service confirming each step (the URL names are the steps).
CONFIRM: dict[str, Callable[..., Rechnung]] = {
    Schritt.SACHLICH_RICHTIG: rechnung_sachlich_richtig,
    Schritt.RECHNERISCH_RICHTIG: rechnung_rechnerisch_richtig,
    Schritt.ANORDNUNG: rechnung_anordnen,
}
#: Prefixes of the page's forms (ids stay unique on the page).
PREFIX = {"confirm_form": "bestaetigen", "reject_form": "zurueckweisen", "route_form": "zuordnen"}


def _status_of(exc: ServiceError) -> int:
    if exc.code == "conflict":
        return 409
    return 403 if isinstance(exc, PermissionDenied) else 400


def _forms(
    principal: Principal, rechnung: Rechnung, data: Any = None, only: str | None = None
) -> dict[str, forms.Form]:
    def bound(name: str) -> dict[str, Any]:
        return {
            "data": data if name == only else None,
            "prefix": PREFIX[name],
            "initial": {"status": rechnung.status},
        }

    return {
        "confirm_form": BestaetigenForm(**bound("confirm_form")),
        "reject_form": ZurueckweisenForm(**bound("reject_form")),
        "route_form": ZuordnenForm(units=units_for_invoices(principal), **bound("route_form")),
    }


def _visible_links(principal: Principal, rechnung: Rechnung) -> dict[str, bool]:
    """Whether the Vorgang and the original of a duplicate may be opened (one query each)."""
    vorgang = rechnung.vorgang_id is not None and (
        permitted(Vorgang, principal=principal, action=Action.VIEW)
        .filter(pk=rechnung.vorgang_id)
        .exists()
    )
    original = rechnung.dublette_von_id is not None and (
        permitted(Rechnung, principal=principal, action=Action.VIEW)
        .filter(pk=rechnung.dublette_von_id)
        .exists()
    )
    return {"vorgang": vorgang, "dublette_von": original}


def _render(
    request: HttpRequest,
    principal: Principal,
    pk: int,
    *,
    bound: dict[str, forms.Form] | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    detail = rechnung_detail(principal=principal, pk=pk)
    rechnung = detail.rechnung
    read = lesung(rechnung)
    context: dict[str, Any] = {
        "detail": detail,
        "rechnung": rechnung,
        "lesung": read,
        "result": validation_result(rechnung),
        "links": _visible_links(principal, rechnung),
        "refusal": refusal,
        "opened": next(iter(bound or {}), None),
        "step_label": dict(Schritt.choices).get(detail.offener_schritt or ""),
        "confirm_url": (
            reverse(f"rechnung:{detail.offener_schritt}", kwargs={"pk": rechnung.pk})
            if detail.offener_schritt
            else ""
        ),
    }
    if read.invoice is not None:
        base = reverse("rechnung:anhang", kwargs={"pk": rechnung.pk})
        links = attachment_links(
            read.invoice, lambda a: f"{base}?referenz={quote(a.reference, safe='')}"
        )
        context.update(invoice_context(read.invoice, attachment_url=links))
    page_forms = _forms(principal, rechnung)
    page_forms.update(bound or {})
    context.update(page_forms)
    return render(request, "rechnung/rechnung.html", context, status=status)


@never_cache
@login_required
@require_GET
def rechnung(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, staff_principal(request), pk)


def _saw_current(form: forms.Form, rechnung: Rechnung) -> bool:
    return bool(form.cleaned_data.get("status") == rechnung.status)


def _moved_on(rechnung: Rechnung) -> str:
    return _("This step has already been decided; the invoice is now “%s”.") % (
        rechnung.get_status_display()
    )


@never_cache
@login_required
@require_POST
def bestaetigen(request: HttpRequest, pk: int, schritt: str) -> HttpResponse:
    """Confirm the open step (sachlich richtig, rechnerisch richtig, Anordnung)."""
    principal = staff_principal(request)
    current = access_rechnung(principal, pk, Action.CHANGE)
    form = _forms(principal, current, request.POST, only="confirm_form")["confirm_form"]
    if not form.is_valid():
        return _render(request, principal, pk, bound={"confirm_form": form}, status=400)
    if not _saw_current(form, current):
        return _render(request, principal, pk, refusal=_moved_on(current), status=409)
    try:
        CONFIRM[schritt](
            principal=principal, rechnung=current, bemerkung=form.cleaned_data["bemerkung"]
        )
    except ServiceError as exc:
        return _render(request, principal, pk, refusal=exc.message, status=_status_of(exc))
    messages.success(
        request,
        _("Confirmed: %(step)s. The invoice %(number)s moves on.")
        % {"step": Schritt(schritt).label, "number": current.eingangsnummer},
    )
    return back_to("rechnung:rechnung", pk)


@never_cache
@login_required
@require_POST
def zurueckweisen(request: HttpRequest, pk: int) -> HttpResponse:
    """Reject the invoice with a reason (the seller is told by e-mail)."""
    principal = staff_principal(request)
    current = access_rechnung(principal, pk, Action.CHANGE)
    form = _forms(principal, current, request.POST, only="reject_form")["reject_form"]
    if form.is_valid():
        try:
            rechnung_zurueckweisen(
                principal=principal,
                rechnung=current,
                begruendung=form.cleaned_data["begruendung"],
                erwarteter_status=form.cleaned_data["status"],
            )
        except ServiceError as exc:
            if exc.code == "conflict" or isinstance(exc, PermissionDenied):
                return _render(request, principal, pk, refusal=exc.message, status=_status_of(exc))
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("The invoice %s has been rejected.") % current.eingangsnummer
            )
            return back_to("rechnung:rechnung", pk)
    return _render(request, principal, pk, bound={"reject_form": form}, status=400)


@never_cache
@login_required
@require_POST
def zuordnen(request: HttpRequest, pk: int) -> HttpResponse:
    """Route an invoice in Klärung to its unit (Kasse, Fachadministration, the unit)."""
    principal = staff_principal(request)
    current = access_rechnung(principal, pk, Action.CHANGE)
    form = _forms(principal, current, request.POST, only="route_form")["route_form"]
    if form.is_valid():
        unit = form.cleaned_data["unit"]
        try:
            rechnung_route(principal=principal, rechnung=current, unit=unit)
        except ServiceError as exc:
            if exc.code == "conflict" or isinstance(exc, PermissionDenied):
                return _render(request, principal, pk, refusal=exc.message, status=_status_of(exc))
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("The invoice %(number)s now belongs to %(unit)s.")
                % {"number": current.eingangsnummer, "unit": f"{unit.code} {unit.name}"},
            )
            return back_to("rechnung:rechnung", pk)
    return _render(request, principal, pk, bound={"route_form": form}, status=400)
