"""Staff login with throttling, and logout — both audited (ASVS 6.1.1, 7.2.4, 16.3)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsfluss.core import audit, context
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import LoginFailure, Mandant, User
from amtsfluss.core.models.audit import Outcome

SESSION_LOGIN_AT = "amtsfluss_login_at"
SESSION_SEEN_AT = "amtsfluss_seen_at"


class LoginThrottled(ServiceError):
    def __init__(self) -> None:
        super().__init__(
            _("Too many failed attempts. Please wait a few minutes and try again."),
            code="throttled",
        )


class InvalidCredentials(ServiceError):
    def __init__(self) -> None:
        super().__init__(_("User name or password is wrong."), code="invalid_credentials")


def _is_throttled(username: str, address: str) -> bool:
    since = timezone.now() - timedelta(seconds=settings.AMTSFLUSS_LOGIN_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(occurred_at__gte=since)
    return (
        recent.filter(username=username).count() >= settings.AMTSFLUSS_LOGIN_MAX_FAILURES
        or recent.filter(client_address=address).count()
        >= settings.AMTSFLUSS_LOGIN_MAX_FAILURES_PER_ADDRESS
    )


def staff_login(*, request: HttpRequest, username: str, password: str) -> User:
    """Authenticate and start a fresh session, or raise; every outcome is audited."""
    username = username.strip()
    address = context.current().client_address
    mandant: Mandant | None = getattr(request, "mandant", None)
    if _is_throttled(username, address):
        audit.record(
            mandant=mandant,
            actor=None,
            actor_label=username,
            action="login.throttled",
            outcome=Outcome.DENIED,
        )
        raise LoginThrottled
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User):
        LoginFailure.objects.create(
            username=username, client_address=address, occurred_at=timezone.now()
        )
        audit.record(
            mandant=mandant,
            actor=None,
            actor_label=username,
            action="login.failed",
            outcome=Outcome.DENIED,
        )
        raise InvalidCredentials
    login(request, user)  # cycles the session key (ASVS 7.2.4)
    now = timezone.now().timestamp()
    request.session[SESSION_LOGIN_AT] = now
    request.session[SESSION_SEEN_AT] = now
    LoginFailure.objects.filter(username=username).delete()
    audit.record(mandant=user.mandant, actor=user, action="login.success")
    return user


def staff_logout(*, request: HttpRequest, reason: str = "logout") -> None:
    user = request.user
    if isinstance(user, User):
        audit.record(mandant=user.mandant, actor=user, action=f"session.{reason}")
    logout(request)
