"""The applicant's side after the summary: submit, the status page, the receipt download.

The status page also shows the Vorgang's Postfach (app ``postfach``) and payment (app
``kasse``). It is reached only through its link (``antrag_by_token``: unknown, guessed or
another Mandant's token → 404) and is never cached. No JavaScript is needed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from amtsfluss.akte.models import Dokumentversion
from amtsfluss.api.downloads import attachment_disposition
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.services.blobs import blob_open
from amtsfluss.dienste.models import Antrag
from amtsfluss.dienste.selectors.antrag import antrag_by_token, erwartet_bis, timeline
from amtsfluss.dienste.selectors.entwurf import access_entwurf
from amtsfluss.dienste.services.antrag import antrag_submit, antrag_submitted
from amtsfluss.dienste.views.antrag import SUBMIT_SCOPE, summary_page
from amtsfluss.dienste.views.common import public_mandant
from amtsfluss.kasse.models import Zustand
from amtsfluss.kasse.selectors import forderung_for_vorgang, zahlung_context
from amtsfluss.kasse.services.forderung import forderung_token_renew
from amtsfluss.konto.selectors import buerger_from_request
from amtsfluss.postfach.views.buerger import postfach_context
from amtsfluss.web.schutz import pow, ratelimit


@never_cache
@require_POST
def einreichen(request: HttpRequest, token: str) -> HttpResponse:
    """Submit the draft; a repeated submission answers with the same status page.

    A first submission must carry a solved proof of work (or, without JavaScript, a challenge
    that has waited) and stay within the client address's rate; a repeat needs neither.
    """
    mandant = public_mandant(request)
    earlier = antrag_submitted(mandant=mandant, token=token)
    if earlier is not None:
        messages.info(request, _("This application had already been submitted."))
        return HttpResponseRedirect(reverse("dienste:status", args=[earlier.token]))
    entwurf = access_entwurf(mandant=mandant, token=token)
    try:
        ratelimit.limit(request, SUBMIT_SCOPE, settings.AMTSFLUSS_ANTRAG_RATE)
    except ratelimit.RateLimited as exc:
        return ratelimit.too_many_requests(request, exc)
    verdict = pow.check(request, SUBMIT_SCOPE, request.POST)
    if not verdict.accepted:
        challenge = pow.challenge_again(request, SUBMIT_SCOPE, request.POST)
        return summary_page(request, entwurf, token, challenge, problem=pow.message(verdict))
    try:
        result = antrag_submit(mandant=mandant, token=token, buerger=buerger_from_request(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("dienste:zusammenfassung", args=[token]))
    if result.neu:
        messages.success(request, _("Your application has been submitted."))
    else:
        messages.info(request, _("This application had already been submitted."))
    return HttpResponseRedirect(reverse("dienste:status", args=[result.token]))


def _receipt_version(antrag: Antrag) -> Dokumentversion | None:
    if antrag.eingangsbestaetigung_id is None:
        return None
    return (
        Dokumentversion.objects.filter(dokument_id=antrag.eingangsbestaetigung_id, ist_aktuell=True)
        .select_related("blob")
        .order_by("-nummer")
        .first()
    )


def _other_parts(request: HttpRequest, antrag: Antrag, token: str) -> dict[str, Any]:
    """The Postfach (messages, Rückfragen, the Bescheid; the answer form) and the payment part
    (Kassenzeichen, state, bank details with GiroCode) of the Antrag's Vorgang."""
    parts = postfach_context(request, vorgang=antrag.vorgang, token=token)
    forderung = forderung_for_vorgang(antrag.vorgang)
    parts["zahlung"] = None if forderung is None else zahlung_context(forderung)
    return parts


@never_cache
@require_GET
def status(request: HttpRequest, token: str) -> HttpResponse:
    antrag = antrag_by_token(mandant=public_mandant(request), token=token)
    return render(
        request,
        "dienste/status.html",
        {
            **_other_parts(request, antrag, token),
            "antrag": antrag,
            "leistung": antrag.leistung,
            "token": token,
            "stufen": timeline(antrag),
            "ereignisse": antrag.ereignisse.order_by("am", "pk"),
            "erwartet_bis": erwartet_bis(antrag),
            "bestaetigung": _receipt_version(antrag),
        },
    )


@never_cache
@require_GET
def eingangsbestaetigung(request: HttpRequest, token: str) -> HttpResponse:
    antrag = antrag_by_token(mandant=public_mandant(request), token=token)
    version = _receipt_version(antrag)
    if version is None:
        raise Http404
    with blob_open(blob=version.blob) as reader:
        content = reader.read_all()
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = attachment_disposition(version.dateiname)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@require_POST
def bezahlen(request: HttpRequest, token: str) -> HttpResponse:
    """To the Kasse's payment page of the Antrag's open fee (a fresh payment link each time)."""
    antrag = antrag_by_token(mandant=public_mandant(request), token=token)
    forderung = forderung_for_vorgang(antrag.vorgang)
    if forderung is None or forderung.zustand != Zustand.OFFEN:
        raise Http404
    return HttpResponseRedirect(
        reverse("zahlung:seite", args=[forderung_token_renew(forderung=forderung)])
    )
