"""The public start page and the staff start page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from amtsfluss.dienste.selectors.katalog import published_leistungen
from amtsfluss.web import mfa, selectors
from amtsfluss.web.access import staff_principal

HOME_SERVICES = 8  #: services listed on the start page; the catalogue has all


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """What the Mandant offers online, for citizens and businesses."""
    leistungen = published_leistungen(mandant=request.mandant)  # type: ignore[attr-defined]
    return render(
        request,
        "web/home.html",
        {"leistungen": leistungen[:HOME_SERVICES], "leistungen_total": leistungen.count()},
    )


@never_cache
@login_required
@require_GET
def staff_home(request: HttpRequest) -> HttpResponse:
    principal = staff_principal(request)
    return render(
        request,
        "web/staff_home.html",
        {
            "principal": principal,
            "memberships": selectors.own_memberships(principal=principal),
            "vertretungen": selectors.current_vertretungen(principal=principal),
            "has_authenticator": mfa.confirmed_totp_device(user=principal.user) is not None,
        },
    )
