"""Second factor for staff sign-in: TOTP enrolment and verification (ASVS 6.3.3, 16.3).

Throttling is django-otp's own on the device (exponential back-off after each wrong code,
``OTP_TOTP_THROTTLE_FACTOR`` seconds at first); every refusal and every success is audited.
"""

from __future__ import annotations

from base64 import b32encode

import django_otp
import segno
from django.db import transaction
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from amtsfluss.core import audit
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import User
from amtsfluss.core.models.audit import Outcome

DEVICE_NAME = "amtsfluss"


class TokenThrottled(ServiceError):
    def __init__(self) -> None:
        super().__init__(
            _("Too many wrong codes. Please wait a moment and then enter the current code."),
            code="throttled",
        )


class InvalidToken(ServiceError):
    def __init__(self) -> None:
        super().__init__(
            _("This code is not valid. Enter the code your app shows right now."),
            code="invalid_token",
        )


def confirmed_totp_device(*, user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator, if they have set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def totp_enrolment_device(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up; created on first use.

    The secret stays the same until it is confirmed, so reloading the page does not
    invalidate an app that has already scanned the code.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The shared secret in base32, in groups of four for typing it by hand."""
    secret = b32encode(device.bin_key).decode("ascii")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice, *, title: str) -> SafeString:
    """The ``otpauth://`` URI as an inline SVG QR code (no script, no style attribute)."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=4, light="#fff", dark="#000", title=title, svgclass="af-qr"
    )
    # segno writes the SVG itself and escapes the title; the URI is only in the geometry.
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308


def check_totp(*, request: HttpRequest, user: User, device: TOTPDevice, token: str) -> None:
    """Verify ``token`` on ``device`` and mark the session as verified, or raise.

    Confirms a device that is being set up. The session key is cycled on success, as after
    any change of privilege (ASVS 7.2.4).
    """
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        allowed, _info = locked.verify_is_allowed()
        verified = bool(allowed and locked.verify_token(token))
        enrolled = verified and not locked.confirmed
        if enrolled:
            locked.confirmed = True
            locked.save(update_fields=["confirmed"])
        if not allowed:
            action, outcome = "login.mfa_throttled", Outcome.DENIED
        elif not verified:
            action, outcome = "login.mfa_failed", Outcome.DENIED
        else:
            action, outcome = "login.mfa", Outcome.SUCCESS
        audit.record(
            mandant=user.mandant,
            actor=user,
            action=action,
            outcome=outcome,
            object_type="otp_totp.totpdevice",
            object_id=str(locked.pk),
            details={"enrolment": not locked.confirmed or enrolled},
        )
    if not allowed:
        raise TokenThrottled
    if not verified:
        raise InvalidToken
    request.session.cycle_key()
    django_otp.login(request, locked)
