"""The platform area: the operator of the installation creates and maintains Mandanten."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import Mandant
from amtsfluss.core.services.mandant import mandant_create, mandant_update
from amtsfluss.web import selectors
from amtsfluss.web.access import platform_operator
from amtsfluss.web.forms import MandantCreateForm, MandantUpdateForm


@never_cache
@login_required
@require_GET
def mandant_list(request: HttpRequest) -> HttpResponse:
    platform_operator(request)
    return render(
        request, "web/platform/mandant_list.html", {"mandanten": selectors.mandant_list()}
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mandant_create_view(request: HttpRequest) -> HttpResponse:
    operator = platform_operator(request)
    form = MandantCreateForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                mandant = mandant_create(**form.cleaned_data, by=operator)
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Mandant “%s” has been created.") % mandant.name)
                return redirect("web:platform")
    return render(
        request, "web/platform/mandant_form.html", {"form": form, "edited": None}, status=status
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mandant_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    operator = platform_operator(request)
    mandant = get_object_or_404(Mandant, pk=pk)
    if request.method == "POST":
        form = MandantUpdateForm(request.POST)
    else:
        form = MandantUpdateForm(
            initial={
                "name": mandant.name,
                "is_active": mandant.is_active,
                "hosts": "\n".join(
                    mandant.hosts.order_by("hostname").values_list("hostname", flat=True)
                ),
            }
        )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                mandant_update(mandant=mandant, **form.cleaned_data, by=operator)
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Mandant “%s” has been saved.") % mandant.name)
                return redirect("web:platform")
    return render(
        request,
        "web/platform/mandant_form.html",
        {"form": form, "edited": mandant},
        status=status,
    )
