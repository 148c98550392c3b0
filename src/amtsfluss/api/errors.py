"""How exceptions become answers: always JSON ``{"detail": ...}``.

* ``Http404`` (``access()`` found nothing permitted) → 404 with a fixed text, never a hint.
* ``core.errors.PermissionDenied`` → 403, ``core.errors.Unavailable`` → 503, other
  ``ServiceError`` → 400, with their message.
* Failed authentication → 401 with ``WWW-Authenticate: Bearer``.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from amtsfluss.core.errors import PermissionDenied, ServiceError, Unavailable


def install_exception_handlers(api: NinjaAPI) -> None:
    # ninja types a handler's argument as "instance or class"; it always passes the instance.
    def not_found(request: HttpRequest, exc: Http404 | type[Http404]) -> HttpResponse:
        return api.create_response(request, {"detail": _("Not found.")}, status=404)

    def unauthenticated(
        request: HttpRequest, exc: AuthenticationError | type[AuthenticationError]
    ) -> HttpResponse:
        response = api.create_response(
            request, {"detail": _("Authentication required.")}, status=401
        )
        response["WWW-Authenticate"] = 'Bearer realm="amtsfluss"'
        return response

    def refused(request: HttpRequest, exc: ServiceError | type[ServiceError]) -> HttpResponse:
        if not isinstance(exc, ServiceError):
            raise TypeError(exc)
        status = 400
        if isinstance(exc, PermissionDenied):
            status = 403
        elif isinstance(exc, Unavailable):
            status = 503
        return api.create_response(
            request, {"detail": exc.message, "code": exc.code}, status=status
        )

    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(ServiceError, refused)
