"""Vertretungen (deputies): list what one may see, arrange one, end one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from amtsfluss.core.errors import PermissionDenied, ServiceError
from amtsfluss.core.models import Vertretung
from amtsfluss.core.permissions import Action, access
from amtsfluss.core.services.vertretung import check_vertretung_create, vertretung_end
from amtsfluss.web import selectors
from amtsfluss.web.access import staff_principal
from amtsfluss.web.forms import VertretungForm


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def vertretung_list(request: HttpRequest) -> HttpResponse:
    principal = staff_principal(request)
    form = VertretungForm(request.POST if request.method == "POST" else None, principal=principal)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                check_vertretung_create(principal=principal, **form.cleaned_data)
            except ServiceError as exc:
                form.add_error(None, exc.message)
                status = 403 if isinstance(exc, PermissionDenied) else 400
            else:
                messages.success(request, _("The Vertretung has been arranged."))
                return redirect("web:vertretungen")
    return render(
        request,
        "web/vertretungen.html",
        {"form": form, "rows": selectors.vertretung_rows(principal=principal)},
        status=status,
    )


@login_required
@require_POST
def vertretung_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    principal = staff_principal(request)
    vertretung = access(Vertretung, principal=principal, action=Action.CHANGE, pk=pk)
    vertretung_end(principal=principal, vertretung=vertretung)
    messages.success(
        request,
        _("The Vertretung of %(person)s by %(deputy)s has ended.")
        % {
            "person": vertretung.vertretene_person.display_name,
            "deputy": vertretung.vertretung.display_name,
        },
    )
    return redirect("web:vertretungen")
