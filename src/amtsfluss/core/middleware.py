"""Request plumbing: client address, Mandant by host name, session timeouts, MFA."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from amtsfluss.core import context
from amtsfluss.core.models import Mandant, MandantHost, User
from amtsfluss.core.services.auth import SESSION_LOGIN_AT, SESSION_SEEN_AT, staff_logout

Handler = Callable[[HttpRequest], HttpResponse]

#: Paths that need no Mandant (operations endpoints work on any host name).
MANDANT_FREE_PREFIXES = ("/healthz", "/readyz", "/static/")
#: Paths that work on a host without a Mandant (the IT provider's platform area, the API schema).
MANDANT_OPTIONAL_PREFIXES = (
    "/plattform/",
    "/anmelden/",
    "/abmelden/",
    "/i18n/",
    "/api/v1/platform/",
    "/api/v1/schema",
    "/api/v1/docs",
)


class RequestContextMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        self.header = settings.AMTSFLUSS_CLIENT_ADDRESS_HEADER

    def __call__(self, request: HttpRequest) -> HttpResponse:
        address = request.META.get(self.header, "") if self.header else ""
        address = address.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")
        channel = "api" if request.path.startswith("/api/") else "web"
        with context.use(context.RequestContext(client_address=address, channel=channel)):
            return self.get_response(request)


def resolve_mandant(host: str) -> Mandant | None:
    """The Mandant that owns ``host``, else the default Mandant, else none."""
    hostname = host.split(":")[0].lower()
    found = (
        MandantHost.objects.filter(hostname=hostname, mandant__is_active=True)
        .select_related("mandant")
        .first()
    )
    if found is not None:
        return found.mandant
    return Mandant.objects.filter(is_default=True, is_active=True).first()


class MandantMiddleware:
    """Sets ``request.mandant``; a staff session never crosses into another Mandant."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(MANDANT_FREE_PREFIXES):
            request.mandant = None  # type: ignore[attr-defined]
            return self.get_response(request)
        mandant = resolve_mandant(request.get_host())
        request.mandant = mandant  # type: ignore[attr-defined]
        user = request.user
        if (
            isinstance(user, User)
            and not user.is_platform_operator
            and (mandant is None or user.mandant_id != mandant.pk)
        ):
            staff_logout(request=request, reason="wrong_mandant")
        if mandant is None and not request.path.startswith(MANDANT_OPTIONAL_PREFIXES):
            raise Http404(_("No municipality is served under this address."))
        return self.get_response(request)


class SessionTimeoutMiddleware:
    """Ends a staff session after idle time and after an absolute lifetime (ASVS 7.3)."""

    touch_every_seconds = 60

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            login_at = float(request.session.get(SESSION_LOGIN_AT, 0))
            seen_at = float(request.session.get(SESSION_SEEN_AT, 0))
            expired_absolute = now - login_at > settings.SESSION_COOKIE_AGE
            expired_idle = now - seen_at > settings.AMTSFLUSS_SESSION_IDLE_SECONDS
            if expired_absolute or expired_idle:
                staff_logout(request=request, reason="timeout")
                messages.info(request, _("Your session has expired. Please sign in again."))
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return HttpResponseRedirect(f"{reverse('web:login')}?next={request.path}")
            if now - seen_at > self.touch_every_seconds:
                request.session[SESSION_SEEN_AT] = now
        return self.get_response(request)


class RequireMFAMiddleware:
    """With ``AMTSFLUSS_REQUIRE_MFA``, a staff session must be verified by TOTP (ASVS 6.3.3)."""

    exempt_prefixes = ("/anmelden/", "/abmelden/", "/static/", "/healthz", "/readyz", "/i18n/")

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.AMTSFLUSS_REQUIRE_MFA
            and user.is_authenticated
            and not request.path.startswith(self.exempt_prefixes)
            and not getattr(user, "is_verified", lambda: False)()
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Confirm your sign-in with the one-time code first.")}, status=401
                )
            return HttpResponseRedirect(f"{reverse('web:mfa')}?next={request.path}")
        return self.get_response(request)
