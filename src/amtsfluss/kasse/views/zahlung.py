"""The public payment page ``/zahlung/<token>/`` and the online payment round trip.

The page is reached only through the Forderung's unguessable link (unknown, guessed or
another Mandant's token → 404) and is never cached. The provider's notification arrives at
``/zahlung/benachrichtigung/`` signed with HMAC instead of a CSRF token.
"""

from __future__ import annotations

import logging
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from amtsfluss.core.errors import ServiceError
from amtsfluss.dienste.views.common import public_mandant
from amtsfluss.kasse.epay import EpayError, configured_provider
from amtsfluss.kasse.models import Zustand
from amtsfluss.kasse.selectors import access_forderung_by_token, zahlung_context
from amtsfluss.kasse.services.online import notification_receive, online_return, online_start
from amtsfluss.web.schutz.ratelimit import ratelimited

logger = logging.getLogger(__name__)
MAX_NOTIFICATION = 16 * 1024
#: online payments a client address may start (each opens a transaction at the provider)
ONLINE_STARTS_PER_ADDRESS = "10/h"


@never_cache
@require_GET
def zahlung(request: HttpRequest, token: str) -> HttpResponse:
    forderung = access_forderung_by_token(mandant=public_mandant(request), token=token)
    provider = configured_provider()
    response = render(
        request,
        "kasse/zahlung.html",
        {
            **zahlung_context(forderung),
            "token": token,
            "online": forderung.zustand == Zustand.OFFEN and provider is not None,
        },
    )
    if provider is not None:
        # the "pay online" form's answer redirects to the provider: form-action must allow it
        base = cast("dict[str, list[str]]", settings.SECURE_CSP)
        policy = {key: list(value) for key, value in base.items()}
        policy["form-action"] = [CSP.SELF, provider.origin]
        response._csp_config = policy  # type: ignore[attr-defined]
    return response


@never_cache
@require_POST
@ratelimited("kasse.online", ONLINE_STARTS_PER_ADDRESS)
def online(request: HttpRequest, token: str) -> HttpResponse:
    forderung = access_forderung_by_token(mandant=public_mandant(request), token=token)
    provider = configured_provider()
    page = reverse("zahlung:seite", args=[token])
    if provider is None:
        return redirect(page)
    try:
        url = online_start(
            forderung=forderung,
            provider=provider,
            return_url=request.build_absolute_uri(reverse("zahlung:zurueck", args=[token])),
            notify_url=request.build_absolute_uri(reverse("zahlung:benachrichtigung")),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(page)
    return HttpResponseRedirect(url)


@never_cache
@require_GET
def zurueck(request: HttpRequest, token: str) -> HttpResponse:
    forderung = access_forderung_by_token(mandant=public_mandant(request), token=token)
    provider = configured_provider()
    if provider is not None and forderung.zustand == Zustand.OFFEN:
        online_return(forderung=forderung, provider=provider)
        forderung.refresh_from_db()
    if forderung.zustand == Zustand.BEZAHLT:
        messages.success(request, _("Thank you: the fee has been paid."))
    else:
        messages.info(request, _("The online payment was not completed."))
    return redirect("zahlung:seite", token=token)


@csrf_exempt  # signed with HMAC by the provider (epay.check_signature), not a browser form
@require_POST
def benachrichtigung(request: HttpRequest) -> HttpResponse:
    mandant = public_mandant(request)
    provider = configured_provider()
    if provider is None:
        return HttpResponse(status=404)
    if int(request.headers.get("Content-Length") or 0) > MAX_NOTIFICATION:
        return HttpResponse(status=413)
    try:
        notification_receive(
            mandant=mandant, provider=provider, body=request.body, headers=dict(request.headers)
        )
    except EpayError as exc:
        logger.warning("ePay notification refused: %s", exc)
        return HttpResponse(status=400)
    return HttpResponse(status=204)
