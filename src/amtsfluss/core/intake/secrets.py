"""Sealing mailbox passwords at rest with a key derived from ``SECRET_KEY``.

Fernet (AES-128-CBC + HMAC-SHA256, from the ``cryptography`` package) with a key derived from
``SECRET_KEY`` by HKDF-SHA256 under a purpose label. A database dump or backup alone does not
reveal a password; whoever holds the database *and* the secret key does. ``SECRET_KEY_FALLBACKS``
are tried on unsealing, so the secret key can be rotated (re-seal with ``intake set-password``).
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_VERSION = "v2"
_LABEL = b"amtsfluss.core.intake.password"
MAX_SECRET_BYTES = 1024


class SealError(Exception):
    """The sealed value does not open with the configured secret keys."""


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_LABEL).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> MultiFernet:
    secret_keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(key) for key in secret_keys])


def seal(plaintext: str) -> str:
    data = plaintext.encode()
    if len(data) > MAX_SECRET_BYTES:
        raise ValueError("secret too long")
    return f"{_VERSION}${_fernet(settings.SECRET_KEY).encrypt(data).decode()}"


def unseal(token: str) -> str:
    version, _, body = token.partition("$")
    if version != _VERSION:
        raise SealError("unknown format")
    try:
        return _keys().decrypt(body.encode()).decode()
    except (InvalidToken, ValueError) as exc:
        raise SealError("does not open with SECRET_KEY or SECRET_KEY_FALLBACKS") from exc
