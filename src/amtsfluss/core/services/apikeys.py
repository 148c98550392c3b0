"""API keys: create (the plaintext is shown once), revoke, and authenticate a presented key.

A key reads ``afk_<prefix>_<secret>``. The prefix finds the row; only the SHA-256 of the secret is
stored. The secrets are 256 random bits, so a plain (unsalted, fast) hash is the right tool: no
dictionary or brute force applies to them, unlike to passwords.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta
from typing import NoReturn

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsfluss.core import audit
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import ApiKey, Mandant, User
from amtsfluss.core.models.apikey import ApiScope
from amtsfluss.core.models.audit import Outcome

#: What every key starts with, so that scanners and people recognise it.
KEY_MARK = "afk"
#: ``last_used_at`` is written at most this often per key (one UPDATE, not one per request).
LAST_USED_RESOLUTION = timedelta(minutes=1)
NAME_MAX_LENGTH = 100

_TOKEN_RE = re.compile(r"afk_(?P<prefix>[0-9a-f]{16})_(?P<secret>[A-Za-z0-9_-]{20,128})")


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def apikey_create(
    *,
    mandant: Mandant,
    user: User,
    name: str,
    scopes: list[str],
    expires_at: datetime | None = None,
    by: User | None,
) -> tuple[ApiKey, str]:
    """Create a key that acts as ``user`` in ``mandant``; return it with its one-time plaintext.

    Authorization (the person themselves or Fachadministration; ``by=None`` is the CLI) is the
    caller's. The plaintext is never stored and never written to the audit log.
    """
    name = name.strip()
    if not name or len(name) > NAME_MAX_LENGTH:
        raise ServiceError(_("A key needs a name of at most 100 characters."))
    unknown = sorted(set(scopes) - set(ApiScope.values))
    if not scopes or unknown:
        raise ServiceError(_("Scopes must be one or more of: read, write."))
    if user.mandant_id != mandant.pk or user.is_platform_operator:
        raise ServiceError(_("The user does not belong to this Mandant."))
    if not user.is_active:
        raise ServiceError(_("The user account is inactive."))
    if expires_at is not None and expires_at <= timezone.now():
        raise ServiceError(_("The expiry date must lie in the future."))
    prefix = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        key = ApiKey.objects.create(
            mandant=mandant,
            user=user,
            name=name,
            prefix=prefix,
            secret_hash=_hash_secret(secret),
            scopes=sorted(set(scopes)),
            expires_at=expires_at,
        )
        audit.record(
            mandant=mandant,
            actor=by,
            action="apikey.create",
            object_type="core.apikey",
            object_id=str(key.pk),
            details={
                "prefix": prefix,
                "name": name,
                "user": user.username,
                "scopes": key.scopes,
                "expires_at": expires_at.isoformat() if expires_at else None,
            },
        )
    return key, f"{KEY_MARK}_{prefix}_{secret}"


def apikey_revoke(*, key: ApiKey, by: User | None) -> ApiKey:
    """Revoke a key now (idempotent).

    The caller fetched it with ``access(ApiKey, ..., action="change")``.
    """
    now = timezone.now()
    with transaction.atomic():
        changed = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=now)
        if changed:
            key.revoked_at = now
            audit.record(
                mandant=key.mandant,
                actor=by,
                action="apikey.revoke",
                object_type="core.apikey",
                object_id=str(key.pk),
                details={"prefix": key.prefix, "name": key.name},
            )
        else:
            key.refresh_from_db(fields=["revoked_at"])
    return key


class ApiKeyRejected(Exception):
    """A presented key is not valid here; ``reason`` goes to the audit log, not to the client."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def apikey_authenticate(*, token: str, mandant: Mandant | None) -> ApiKey:
    """The valid key behind ``token`` for a request to ``mandant``, or raise ``ApiKeyRejected``.

    Every rejection is audited in the Mandant's log (without the secret). A valid key's
    ``last_used_at`` is refreshed at most once per ``LAST_USED_RESOLUTION``.
    """
    match = _TOKEN_RE.fullmatch(token)
    if match is None:
        _reject(mandant=mandant, reason="malformed")
    prefix, secret = match["prefix"], match["secret"]
    key = ApiKey.objects.select_related("user", "mandant").filter(prefix=prefix).first()
    if key is None:
        _reject(mandant=mandant, reason="unknown", prefix=prefix)
    if not hmac.compare_digest(_hash_secret(secret), key.secret_hash):
        _reject(mandant=mandant, reason="wrong_secret", key=key)
    now = timezone.now()
    if mandant is None or key.mandant_id != mandant.pk:
        _reject(mandant=mandant, reason="wrong_mandant", key=key)
    if key.revoked_at is not None:
        _reject(mandant=mandant, reason="revoked", key=key)
    if key.expires_at is not None and key.expires_at <= now:
        _reject(mandant=mandant, reason="expired", key=key)
    if not key.user.is_active or key.user.mandant_id != key.mandant_id:
        _reject(mandant=mandant, reason="user_inactive", key=key)
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ApiKey.objects.filter(stale, pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


def _reject(
    *, mandant: Mandant | None, reason: str, prefix: str = "", key: ApiKey | None = None
) -> NoReturn:
    audit.record(
        mandant=mandant,
        actor=None,
        actor_label=f"apikey:{key.prefix if key else prefix or '?'}",
        action="apikey.rejected",
        object_type="core.apikey" if key else "",
        # the key's number only where it is the requesting Mandant's own key
        object_id=str(key.pk) if key and mandant and key.mandant_id == mandant.pk else "",
        outcome=Outcome.DENIED,
        details={"reason": reason, "prefix": key.prefix if key else prefix},
    )
    raise ApiKeyRejected(reason)
