"""Who is calling: an API key, or a staff session of the web login — tried in this order.

Tenant operations authenticate to a :class:`Principal` (``request.auth``):

* :class:`ApiKeyAuth` — ``Authorization: Bearer afk_<prefix>_<secret>``; the key must belong to
  the Mandant of the host name. A presented but invalid key is a 401 at once (and audited by
  ``apikey_authenticate``); it never falls back to a session.
* :class:`SessionAuth` — a staff member logged in through the web form; CSRF is checked for
  unsafe methods. Platform operators are nobody here: they have no Mandant.

Platform operations authenticate with :class:`OperatorSessionAuth` only; for anybody else they
do not exist (404).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from amtsfluss.core import audit
from amtsfluss.core.models import Mandant, User
from amtsfluss.core.models.audit import Outcome
from amtsfluss.core.permissions import Principal
from amtsfluss.core.services.apikeys import ApiKeyRejected, apikey_authenticate


def _request_mandant(request: HttpRequest) -> Mandant | None:
    mandant = getattr(request, "mandant", None)
    return mandant if isinstance(mandant, Mandant) else None


def _require_csrf(request: HttpRequest) -> None:
    """Cookie-authenticated unsafe requests need Django's CSRF token (header ``X-CSRFToken``)."""
    if getattr(request, "_ninja_csrf_exempt", False):
        return
    if check_csrf(request) is not None:
        raise HttpError(403, _("CSRF check failed."))


class ApiKeyAuth(HttpBearer):
    openapi_description = "API key of one person: `Authorization: Bearer afk_<prefix>_<secret>`."

    def authenticate(self, request: HttpRequest, token: str) -> Principal:
        try:
            key = apikey_authenticate(token=token, mandant=_request_mandant(request))
        except ApiKeyRejected:
            raise AuthenticationError from None
        return Principal(user=key.user, mandant=key.mandant, scopes=frozenset(key.scopes))


class SessionAuth(APIKeyCookie):
    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = (
        "Staff session of the web login; unsafe methods need the CSRF token in `X-CSRFToken`."
    )

    def __call__(self, request: HttpRequest) -> Principal | None:
        user, mandant = request.user, _request_mandant(request)
        if (
            not isinstance(user, User)
            or user.is_platform_operator
            or mandant is None
            or user.mandant_id != mandant.pk
        ):
            return None
        _require_csrf(request)
        return Principal(user=user, mandant=mandant)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        raise NotImplementedError  # __call__ decides from request.user


class OperatorSessionAuth(APIKeyCookie):
    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = "Session of a platform operator (IT provider); CSRF as for staff."

    def __call__(self, request: HttpRequest) -> User:
        user = request.user
        if not isinstance(user, User) or not user.is_platform_operator:
            if isinstance(user, User):
                audit.record(
                    mandant=_request_mandant(request),
                    actor=user,
                    action="platform.denied",
                    outcome=Outcome.DENIED,
                    details={"path": request.path[:200]},
                )
            raise Http404
        _require_csrf(request)
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        raise NotImplementedError  # __call__ decides from request.user


#: Operations on a Mandant's data.
TENANT_AUTH = [ApiKeyAuth(), SessionAuth()]
#: Operations of the platform area.
PLATFORM_AUTH = [OperatorSessionAuth()]


def principal(request: HttpRequest) -> Principal:
    """The authenticated principal of a tenant operation."""
    auth = getattr(request, "auth", None)
    if not isinstance(auth, Principal):
        raise TypeError("tenant operation without a principal; is TENANT_AUTH set?")
    return auth


def operator(request: HttpRequest) -> User:
    """The authenticated platform operator of a platform operation."""
    auth = getattr(request, "auth", None)
    if not isinstance(auth, User) or not auth.is_platform_operator:
        raise TypeError("platform operation without an operator; is PLATFORM_AUTH set?")
    return auth
