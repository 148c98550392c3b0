"""Signed, expiring links: e-mail confirmation and password reset (no table needed).

The confirmation link names the account and the address it confirms; the reset link names the
account and a fingerprint of its password hash, so it works once (a new password changes the
hash) and not after the password changed otherwise.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core import signing

from amtsfluss.konto.models import Buerger

_VERIFY_SALT = "amtsfluss.konto.verify"
_RESET_SALT = "amtsfluss.konto.reset"


def _password_tag(buerger: Buerger) -> str:
    return hashlib.sha256(buerger.password.encode()).hexdigest()[:20]


def verify_token(buerger: Buerger) -> str:
    return signing.dumps(
        {"b": buerger.pk, "m": buerger.mandant_id, "e": buerger.email.lower()}, salt=_VERIFY_SALT
    )


def reset_token(buerger: Buerger) -> str:
    return signing.dumps(
        {"b": buerger.pk, "m": buerger.mandant_id, "p": _password_tag(buerger)}, salt=_RESET_SALT
    )


def _load(token: str, salt: str, max_age: int) -> dict[str, Any] | None:
    if len(token) > 500:
        return None
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    return data if isinstance(data, dict) else None


def _buerger(data: dict[str, Any] | None, mandant_id: int) -> Buerger | None:
    if data is None or data.get("m") != mandant_id or not isinstance(data.get("b"), int):
        return None
    return Buerger.objects.filter(pk=data["b"], mandant_id=mandant_id).first()


def buerger_for_verify_token(token: str, *, mandant_id: int) -> Buerger | None:
    data = _load(token, _VERIFY_SALT, settings.AMTSFLUSS_KONTO_VERIFY_SECONDS)
    buerger = _buerger(data, mandant_id)
    if buerger is None or data is None or buerger.email.lower() != data.get("e"):
        return None
    return buerger


def buerger_for_reset_token(token: str, *, mandant_id: int) -> Buerger | None:
    data = _load(token, _RESET_SALT, settings.AMTSFLUSS_KONTO_RESET_SECONDS)
    buerger = _buerger(data, mandant_id)
    if buerger is None or data is None or _password_tag(buerger) != data.get("p"):
        return None
    return buerger
