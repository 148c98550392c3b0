"""The citizen's part of the session: who, on which Mandant, since when, with which password.

Kept apart from Django's auth keys, so a citizen session never makes ``request.user`` a user.
The session is pinned to the Mandant it was opened on and ends after the same idle and absolute
times as a staff session; changing the password ends every other session of the account (the
session holds a hash of the password hash, as Django does for staff).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from amtsfluss.konto.models import Buerger

KEY_BUERGER = "konto_buerger"
KEY_MANDANT = "konto_mandant"
KEY_HASH = "konto_hash"
KEY_LOGIN_AT = "konto_login_at"
KEY_SEEN_AT = "konto_seen_at"
_KEYS = (KEY_BUERGER, KEY_MANDANT, KEY_HASH, KEY_LOGIN_AT, KEY_SEEN_AT)
_TOUCH_EVERY_SECONDS = 60


def password_fingerprint(buerger: Buerger) -> str:
    return salted_hmac("amtsfluss.konto.session", buerger.password, algorithm="sha256").hexdigest()


def open_session(request: HttpRequest, buerger: Buerger) -> None:
    """A fresh session (new key, no earlier content: also no staff sign-in) for ``buerger``."""
    request.session.flush()
    now = time.time()
    request.session[KEY_BUERGER] = buerger.pk
    request.session[KEY_MANDANT] = buerger.mandant_id
    request.session[KEY_HASH] = password_fingerprint(buerger)
    request.session[KEY_LOGIN_AT] = now
    request.session[KEY_SEEN_AT] = now


def close_session(request: HttpRequest) -> None:
    request.session.flush()


def session_buerger_id(request: HttpRequest) -> int | None:
    """The account id the session claims, if it is on this Mandant and has not timed out."""
    session = request.session
    buerger_id = session.get(KEY_BUERGER)
    if buerger_id is None:
        return None
    mandant = getattr(request, "mandant", None)
    now = time.time()
    expired = (
        now - float(session.get(KEY_LOGIN_AT, 0)) > settings.SESSION_COOKIE_AGE
        or now - float(session.get(KEY_SEEN_AT, 0)) > settings.AMTSFLUSS_SESSION_IDLE_SECONDS
    )
    if mandant is None or session.get(KEY_MANDANT) != mandant.pk or expired:
        for key in _KEYS:
            session.pop(key, None)
        return None
    if now - float(session.get(KEY_SEEN_AT, 0)) > _TOUCH_EVERY_SECONDS:
        session[KEY_SEEN_AT] = now
    return int(buerger_id)


def session_matches(request: HttpRequest, buerger: Buerger) -> bool:
    """False once the password changed since the session was opened."""
    return bool(request.session.get(KEY_HASH) == password_fingerprint(buerger))


def forget(request: HttpRequest) -> None:
    for key in _KEYS:
        request.session.pop(key, None)
