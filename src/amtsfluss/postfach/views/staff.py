"""Staff side: the Postfach of a Vorgang (messages in order, unread answers highlighted, the
Rückfrage form for who may work on it) and the list of unread answers."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from amtsfluss.akte.access import access_vorgang
from amtsfluss.akte.models import AktenStatus, Vorgang
from amtsfluss.akte.views.common import may_change_akte
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.permissions import Action, Principal
from amtsfluss.postfach.forms import RueckfrageForm
from amtsfluss.postfach.selectors import (
    antragsteller_email,
    nachrichten_for_vorgang,
    ungelesene_antworten,
)
from amtsfluss.postfach.services import antworten_gelesen, rueckfrage_stellen
from amtsfluss.web.access import staff_principal


@never_cache
@login_required
@require_GET
def ungelesen(request: HttpRequest) -> HttpResponse:
    principal = staff_principal(request)
    return render(
        request,
        "postfach/ungelesen.html",
        {"antworten": list(ungelesene_antworten(principal=principal)[:200])},
    )


def _page(
    request: HttpRequest,
    principal: Principal,
    vorgang: Vorgang,
    form: RueckfrageForm | None = None,
    status: int = 200,
) -> HttpResponse:
    nachrichten = list(nachrichten_for_vorgang(vorgang))  # unread ones still show as unread
    antworten_gelesen(principal=principal, vorgang=vorgang)
    may_write = vorgang.akte.status == AktenStatus.OFFEN and may_change_akte(
        principal, vorgang.akte_id
    )
    if may_write and form is None:
        form = RueckfrageForm(
            prefix="rueckfrage", initial={"empfaenger_email": antragsteller_email(vorgang)}
        )
    context: dict[str, Any] = {
        "vorgang": vorgang,
        "akte": vorgang.akte,
        "nachrichten": nachrichten,
        "form": form if may_write else None,
    }
    return render(request, "postfach/vorgang.html", context, status=status)


@never_cache
@login_required
@require_GET
def vorgang_postfach(request: HttpRequest, pk: int) -> HttpResponse:
    principal = staff_principal(request)
    return _page(request, principal, access_vorgang(principal, pk))


@login_required
@require_POST
def rueckfrage(request: HttpRequest, pk: int) -> HttpResponse:
    principal = staff_principal(request)
    vorgang = access_vorgang(principal, pk, Action.CHANGE)
    form = RueckfrageForm(request.POST, prefix="rueckfrage")
    if form.is_valid():
        data = form.cleaned_data
        try:
            rueckfrage_stellen(
                principal=principal,
                vorgang=vorgang,
                betreff=data["betreff"],
                text=data["text"],
                frist=data["frist"],
                empfaenger_email=data["empfaenger_email"],
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The Rückfrage was sent to the applicant's Postfach."))
            return HttpResponseRedirect(reverse("postfach:vorgang", args=[pk]) + "#inhalt")
    return _page(request, principal, vorgang, form=form, status=400)
