"""Writes of the citizen account: register, confirm, sign in and out, reset, profile.

Registration and the reset request answer the same whatever the address (no enumeration): what
differs is only the mail that goes out, on commit. Sign-in is throttled per account and per
client address; every outcome is audited without the e-mail address (the audit chain is kept
for years, the account may be deleted earlier): the actor label is ``buerger:<id>``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsfluss.core import audit
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import Mandant
from amtsfluss.core.models.audit import Outcome
from amtsfluss.core.tasks import enqueue_on_commit, send_mail_task
from amtsfluss.konto import session, tokens
from amtsfluss.konto.models import Buerger
from amtsfluss.web.schutz import ratelimit

#: failed sign-ins per account, and sign-in attempts per client address
LOGIN_FAILURES_PER_ACCOUNT = "5/15m"
LOGIN_ATTEMPTS_PER_ADDRESS = "30/15m"

#: builds the absolute link of a page from a token (the view knows the host)
LinkBuilder = Callable[[str], str]

PROFILE_FIELDS = ("vorname", "nachname", "strasse", "hausnummer", "zusatz", "plz", "ort", "telefon")


class LoginThrottled(ServiceError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            _("Too many failed attempts. Please wait a few minutes and try again."),
            code="throttled",
        )
        self.retry_after = retry_after


def _label(buerger: Buerger | None) -> str:
    return f"buerger:{buerger.pk}" if buerger is not None else "buerger"


def _record(
    buerger: Buerger | None, mandant: Mandant, action: str, outcome: str = Outcome.SUCCESS
) -> None:
    audit.record(
        mandant=mandant,
        actor=None,
        actor_label=_label(buerger),
        action=action,
        object_type="konto.buerger" if buerger is not None else "",
        object_id=str(buerger.pk) if buerger is not None else "",
        outcome=outcome,
    )


def _find(mandant: Mandant, email: str) -> Buerger | None:
    return Buerger.objects.filter(mandant=mandant, email__iexact=email.strip()).first()


def _mail(to: str, subject: str, body: str) -> None:
    enqueue_on_commit(send_mail_task, subject=subject, body=body, to=[to])


def check_password_rules(password: str, *, email: str, mandant: Mandant) -> None:
    """Django's password validators (length, common, numeric, similar to the address)."""
    # the validators read only attributes (email, first_name, last_name) of "the user"
    validate_password(password, user=Buerger(mandant=mandant, email=email))  # type: ignore[arg-type]


@transaction.atomic
def buerger_register(
    *,
    mandant: Mandant,
    email: str,
    password: str,
    confirm_link: LinkBuilder,
    reset_link: LinkBuilder,
) -> None:
    """Open an unconfirmed account and mail the confirmation link; the caller has checked the
    password (:func:`check_password_rules`). For a known address nothing changes: its owner
    gets a mail (a new confirmation link, or a note with a reset link)."""
    email = email.strip()
    existing = _find(mandant, email)
    if existing is None:
        buerger = Buerger.objects.create(
            mandant=mandant, email=email, password=make_password(password)
        )
        _record(buerger, mandant, "konto.registered")
        _send_confirmation(buerger, mandant, confirm_link)
        return
    _record(existing, mandant, "konto.register_again")
    if not existing.is_verified:
        _send_confirmation(existing, mandant, confirm_link)
        return
    _mail(
        existing.email,
        _("Your account at %(name)s") % {"name": mandant.name},
        _(
            "Someone tried to open an account at %(name)s with this e-mail address. You already "
            "have an account. If you forgot your password, set a new one here:\n\n%(link)s\n\n"
            "If it was not you, you can ignore this message."
        )
        % {"name": mandant.name, "link": reset_link(tokens.reset_token(existing))},
    )


def _send_confirmation(buerger: Buerger, mandant: Mandant, confirm_link: LinkBuilder) -> None:
    hours = settings.AMTSFLUSS_KONTO_VERIFY_SECONDS // 3600
    _mail(
        buerger.email,
        _("Please confirm your e-mail address"),
        _(
            "Please confirm your e-mail address for your account at %(name)s with this link "
            "(valid for %(hours)d hours):\n\n%(link)s\n\n"
            "If you did not open an account, you can ignore this message."
        )
        % {
            "name": mandant.name,
            "hours": hours,
            "link": confirm_link(tokens.verify_token(buerger)),
        },
    )


@transaction.atomic
def buerger_create_confirmed(*, mandant: Mandant, email: str, password: str) -> Buerger:
    """An account whose address is known to be right (the demo's citizen); no mail."""
    buerger = Buerger.objects.create(
        mandant=mandant,
        email=email.strip(),
        password=make_password(password),
        email_verified_at=timezone.now(),
    )
    _record(buerger, mandant, "konto.created_confirmed")
    return buerger


def _linked(buerger: Buerger | None, refusal: str) -> Buerger:
    """The (active) account a link names, or raise with ``refusal``."""
    if buerger is None or not buerger.is_active:
        raise ServiceError(refusal, code="invalid_link")
    return buerger


def buerger_for_confirmation(*, mandant: Mandant, token: str) -> Buerger:
    """The account a confirmation link names, or raise (bad, expired, another Mandant's)."""
    return _linked(
        tokens.buerger_for_verify_token(token, mandant_id=mandant.pk),
        _("This confirmation link is invalid or has expired. Register again to get a new one."),
    )


def _account_key(mandant: Mandant, email: str) -> str:
    return f"konto.login|{mandant.pk}|{email.strip().lower()}"


def _authenticate(
    *, request: HttpRequest, mandant: Mandant, email: str, buerger: Buerger | None, password: str
) -> Buerger:
    """``buerger`` if ``password`` is its password; throttled per address and account, audited."""
    ratelimit.limit(request, "konto.login", LOGIN_ATTEMPTS_PER_ADDRESS)  # raises RateLimited
    account_key = _account_key(mandant, email)
    waiting = ratelimit.blocked_for(account_key, LOGIN_FAILURES_PER_ACCOUNT)
    if waiting:
        _record(buerger, mandant, "konto.login.throttled", Outcome.DENIED)
        raise LoginThrottled(waiting)
    if buerger is None or not buerger.is_active:
        make_password(password)  # the same work as for a known address
    elif check_password(password, buerger.password):
        return buerger
    ratelimit.hit(account_key, LOGIN_FAILURES_PER_ACCOUNT)
    _record(buerger, mandant, "konto.login.failed", Outcome.DENIED)
    raise ServiceError(_("E-mail address or password is wrong."), code="invalid_credentials")


def _start_session(request: HttpRequest, buerger: Buerger) -> None:
    Buerger.objects.filter(pk=buerger.pk).update(last_login=timezone.now())
    session.open_session(request, buerger)
    _record(buerger, buerger.mandant, "konto.login.success")


def buerger_confirm(
    *, request: HttpRequest, mandant: Mandant, token: str, password: str
) -> Buerger:
    """Confirm the address with the link *and* the account's password, then sign in.

    The link alone does not confirm: otherwise whoever registered someone else's address first
    (with a password of their own) would get a confirmed account once its owner clicks the
    link. The owner, not knowing that password, sets a new one with the reset instead (which
    also confirms the address)."""
    buerger = buerger_for_confirmation(mandant=mandant, token=token)
    _authenticate(
        request=request, mandant=mandant, email=buerger.email, buerger=buerger, password=password
    )
    if not buerger.is_verified:
        with transaction.atomic():
            Buerger.objects.filter(pk=buerger.pk).update(email_verified_at=timezone.now())
            _record(buerger, mandant, "konto.verified")
        buerger.refresh_from_db()
    _start_session(request, buerger)
    return buerger


def buerger_login(*, request: HttpRequest, mandant: Mandant, email: str, password: str) -> Buerger:
    """Check the password and open a fresh citizen session, or raise; throttled and audited."""
    buerger = _authenticate(
        request=request,
        mandant=mandant,
        email=email,
        buerger=_find(mandant, email),
        password=password,
    )
    if not buerger.is_verified:
        _record(buerger, mandant, "konto.login.unverified", Outcome.DENIED)
        raise ServiceError(
            _(
                "Please confirm your e-mail address first with the link we sent you. "
                "Registering again with the same address sends a new link."
            ),
            code="unverified",
        )
    _start_session(request, buerger)
    return buerger


def buerger_logout(*, request: HttpRequest, buerger: Buerger) -> None:
    _record(buerger, buerger.mandant, "konto.logout")
    session.close_session(request)


@transaction.atomic
def passwort_reset_anfordern(*, mandant: Mandant, email: str, reset_link: LinkBuilder) -> None:
    """Mail a reset link if the address has an account; the caller answers the same either way."""
    buerger = _find(mandant, email)
    if buerger is None or not buerger.is_active:
        return
    _record(buerger, mandant, "konto.reset_requested")
    minutes = settings.AMTSFLUSS_KONTO_RESET_SECONDS // 60
    _mail(
        buerger.email,
        _("Set a new password"),
        _(
            "You can set a new password for your account at %(name)s with this link (valid for "
            "%(minutes)d minutes, once):\n\n%(link)s\n\n"
            "If you did not ask for it, you can ignore this message; your password stays as it is."
        )
        % {
            "name": mandant.name,
            "minutes": minutes,
            "link": reset_link(tokens.reset_token(buerger)),
        },
    )


def buerger_for_reset(*, mandant: Mandant, token: str) -> Buerger:
    """The account a reset link names, or raise (bad, used, expired, another Mandant's)."""
    return _linked(
        tokens.buerger_for_reset_token(token, mandant_id=mandant.pk),
        _("This link is invalid, was already used or has expired. Please ask for a new one."),
    )


@transaction.atomic
def passwort_reset(*, mandant: Mandant, token: str, password: str) -> Buerger:
    """Set the new password (checked by the caller); the link and other sessions stop working.
    Following the link proves the address, so an unconfirmed account becomes confirmed."""
    buerger = buerger_for_reset(mandant=mandant, token=token)
    buerger.password = make_password(password)
    buerger.email_verified_at = buerger.email_verified_at or timezone.now()
    buerger.save(update_fields=["password", "email_verified_at"])
    _record(buerger, mandant, "konto.password_reset")
    return buerger


@transaction.atomic
def profil_update(*, buerger: Buerger, data: dict[str, str]) -> Buerger:
    """Store the profile fields (cleaned by the form); other keys are ignored."""
    for name in PROFILE_FIELDS:
        if name in data:
            setattr(buerger, name, data[name])
    buerger.save(update_fields=list(PROFILE_FIELDS))
    _record(buerger, buerger.mandant, "konto.profile_updated")
    return buerger
