"""Accept or correct the suggestion of where a received file belongs: one POST each, for those
who may change the Eingang; back where one came from."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amtsfluss.akte.views.common import safe_next
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.permissions import Action, Principal
from amtsfluss.posteingang.access import access_eingang
from amtsfluss.posteingang.models import Eingang, Vorschlag
from amtsfluss.posteingang.selectors import Ansicht
from amtsfluss.posteingang.services.vorschlag import (
    check_vorschlag_accept,
    check_vorschlag_correct,
)
from amtsfluss.web.access import staff_principal


def _decide(
    request: HttpRequest, pk: int, decide: Callable[[Principal, Eingang], Vorschlag]
) -> HttpResponse:
    """Run one decision on the Eingang (fetched for 'change': 404 for others), say how it went,
    and go back where one came from."""
    principal = staff_principal(request)
    eingang = access_eingang(principal, pk, Action.CHANGE)
    try:
        vorschlag = decide(principal, eingang)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        akte = vorschlag.entschieden_akte
        messages.success(
            request,
            _("“%(name)s” is filed in %(akte)s.")
            % {"name": eingang.dateiname, "akte": akte.aktenzeichen if akte else ""},
        )
    default = f"{reverse('posteingang:eingaenge')}?liste={Ansicht.ABGELEGT}"
    return redirect(safe_next(request, default))


@login_required
@require_POST
def annehmen(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        lambda principal, eingang: check_vorschlag_accept(principal=principal, eingang=eingang),
    )


@login_required
@require_POST
def korrigieren(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        lambda principal, eingang: check_vorschlag_correct(
            principal=principal,
            eingang=eingang,
            aktenzeichen=request.POST.get("aktenzeichen", "")[:200],
            dokumenttyp=request.POST.get("dokumenttyp", "")[:40],
        ),
    )
