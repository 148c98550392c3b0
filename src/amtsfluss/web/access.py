"""Who may enter which area of the pages: staff of the Mandant, or the platform operator.

Each view calls one of these first; objects are then fetched through the permission engine.
An area that is not yours does not exist for you (404), like an object that is not yours.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from amtsfluss.core.models import User
from amtsfluss.core.permissions import Principal


def staff_principal(request: HttpRequest) -> Principal:
    """The signed-in staff member of the request's Mandant, as a principal; else 404.

    Platform operators see no Mandant's data, and the session middleware has already ended
    a staff session that arrives on another Mandant's host name. One principal per request:
    its facts and the scopes built from them are loaded once, whoever asks (view, nav, forms).
    """
    cached = getattr(request, "_amtsfluss_principal", None)
    if isinstance(cached, Principal) and cached.user is request.user:
        return cached
    user = request.user
    mandant = getattr(request, "mandant", None)
    if (
        not isinstance(user, User)
        or user.is_platform_operator
        or mandant is None
        or user.mandant_id != mandant.pk
    ):
        raise Http404
    principal = Principal(user=user, mandant=mandant)
    request._amtsfluss_principal = principal  # type: ignore[attr-defined]
    return principal


def platform_operator(request: HttpRequest) -> User:
    """The signed-in platform operator; anybody else gets 404."""
    user = request.user
    if not isinstance(user, User) or not user.is_platform_operator:
        raise Http404
    return user


def signed_in_user(request: HttpRequest) -> User:
    """The signed-in user (staff or operator); for views behind ``login_required``."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
