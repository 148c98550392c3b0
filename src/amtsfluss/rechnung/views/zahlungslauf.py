"""The Kasse's Zahlungslauf: angeordnete invoices → one pain.001 and one CSV; earlier runs.

The area is the Kasse's: for anybody else it does not exist (404). The invoices offered are
those the Kasse may change in status ``angeordnet`` and in no run yet; a chosen invoice that is
not among them is refused as input.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import Role
from amtsfluss.core.permissions import Principal
from amtsfluss.rechnung.forms import ZahlungslaufForm
from amtsfluss.rechnung.selectors.pages import access_zahlungslauf, zahlungslauf_rechnungen
from amtsfluss.rechnung.selectors.rechnungen import zahlbare_rechnungen, zahlungslaeufe_list
from amtsfluss.rechnung.services.zahlungslauf import skonto_applies, zahlungslauf_create
from amtsfluss.web.access import staff_principal

#: Earlier runs shown below the form (the newest).
EARLIER_RUNS = 50


def kasse_principal(request: HttpRequest) -> Principal:
    """The signed-in member of the Kasse; for anybody else the area does not exist."""
    principal = staff_principal(request)
    if not principal.has_role(Role.KASSE):
        raise Http404
    return principal


def _page(
    request: HttpRequest, principal: Principal, form: ZahlungslaufForm, status: int = 200
) -> HttpResponse:
    payable = list(zahlbare_rechnungen(principal=principal))
    chosen = set(request.POST.getlist(form.add_prefix("rechnungen")))
    return render(
        request,
        "rechnung/zahlungslaeufe.html",
        {
            "form": form,
            "payable": payable,
            "chosen": chosen,
            "runs": list(
                zahlungslaeufe_list(principal=principal).select_related("created_by")[:EARLIER_RUNS]
            ),
        },
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def zahlungslaeufe(request: HttpRequest) -> HttpResponse:
    principal = kasse_principal(request)
    payable = zahlbare_rechnungen(principal=principal)
    if request.method == "GET":
        return _page(request, principal, ZahlungslaufForm(payable=payable, prefix="lauf"))
    form = ZahlungslaufForm(request.POST, payable=payable, prefix="lauf")
    status = 400
    if form.is_valid():
        try:
            run = zahlungslauf_create(
                principal=principal,
                rechnungen=list(form.cleaned_data["rechnungen"]),
                ausfuehrungsdatum=form.cleaned_data["ausfuehrungsdatum"],
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
            status = 409 if exc.code == "conflict" else 400
        else:
            messages.success(
                request,
                _("Zahlungslauf %(nummer)s: %(anzahl)s invoices, ready for download.")
                % {"nummer": run.nummer, "anzahl": run.anzahl},
            )
            return redirect("rechnung:zahlungslauf", pk=run.pk)
    return _page(request, principal, form, status=status)


@never_cache
@login_required
@require_GET
def zahlungslauf(request: HttpRequest, pk: int) -> HttpResponse:
    principal = staff_principal(request)
    run = access_zahlungslauf(principal, pk)  # the Kasse's; a refusal is audited
    rows = list(zahlungslauf_rechnungen(principal=principal, run=run))
    return render(
        request,
        "rechnung/zahlungslauf.html",
        {
            "run": run,
            "rows": [(r, skonto_applies(r, run.ausfuehrungsdatum)) for r in rows],
        },
    )
