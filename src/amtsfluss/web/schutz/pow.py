"""Proof of work against bots: a stateless, signed challenge solved by the browser.

:func:`challenge_for` issues a token ``<payload>:<signature>`` (Django's signer, salted per
purpose); the payload names the scope, the Mandant, the time of issue, the expiry, a random salt
and the difficulty. The browser (``static/schutz/pow.js``, in a Worker) looks for a nonce such
that SHA-256 of ``"<token>:<nonce>"`` starts with ``difficulty`` zero bits and puts it in the
form. :func:`verify` checks the signature, the scope and Mandant, the expiry, then the work,
and spends the challenge: its hash is kept in the cache until it expires, so it counts once.

Without JavaScript nobody computes a nonce. Then the challenge itself is the proof, once it is
at least ``AMTSFLUSS_POW_NOJS_WAIT_SECONDS`` old: a person who reads and fills a form needs that
long anyway, a bot has to wait as well (and the rate limits cap what it gains by waiting in
parallel). A submission that comes too early gets the page again with a note to send it once
more after the rest of the wait.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CHALLENGE_FIELD = "schutz_pow_challenge"
NONCE_FIELD = "schutz_pow_nonce"
_SIGNER_SALT = "amtsfluss.schutz.pow"
_MAX_NONCE_LENGTH = 32
_MAX_TOKEN_LENGTH = 1000

#: the clock; tests replace it to age a challenge without waiting
clock: Callable[[], float] = time.time


class Outcome(StrEnum):
    SOLVED = "solved"  # a valid nonce
    WAITED = "waited"  # no nonce, but the challenge is old enough (no JavaScript)
    MISSING = "missing"
    INVALID = "invalid"  # bad signature or payload, another scope or Mandant
    EXPIRED = "expired"
    WRONG = "wrong"  # a nonce that does not solve it
    TOO_EARLY = "too_early"  # no nonce and not waited long enough
    SPENT = "spent"  # used before

    @property
    def accepted(self) -> bool:
        return self in (Outcome.SOLVED, Outcome.WAITED)


@dataclass(frozen=True)
class Challenge:
    """What the template ``schutz/_pow.html`` shows (pass it as ``pow``)."""

    token: str
    difficulty: int
    wait_seconds: int
    challenge_field: str = CHALLENGE_FIELD
    nonce_field: str = NONCE_FIELD


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    #: for TOO_EARLY: seconds still to wait
    wait_seconds: int = 0

    @property
    def accepted(self) -> bool:
        return self.outcome.accepted


def _mandant_id(request: HttpRequest) -> int | None:
    mandant = getattr(request, "mandant", None)
    return mandant.pk if mandant is not None else None


def challenge_for(request: HttpRequest, scope: str, *, difficulty: int | None = None) -> Challenge:
    """A fresh challenge for one form of ``scope`` on the request's Mandant."""
    now = int(clock())
    bits = settings.AMTSFLUSS_POW_DIFFICULTY if difficulty is None else difficulty
    payload = {
        "s": scope,
        "m": _mandant_id(request),
        "t": now,
        "x": now + settings.AMTSFLUSS_POW_TTL_SECONDS,
        "r": secrets.token_hex(12),
        "d": bits,
    }
    token = signing.Signer(salt=_SIGNER_SALT).sign_object(payload, compress=False)
    return Challenge(
        token=token, difficulty=bits, wait_seconds=settings.AMTSFLUSS_POW_NOJS_WAIT_SECONDS
    )


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def solves(token: str, nonce: str, difficulty: int) -> bool:
    digest = hashlib.sha256(f"{token}:{nonce}".encode()).digest()
    return leading_zero_bits(digest) >= difficulty


def solve(token: str, difficulty: int) -> str:
    """The first nonce that solves ``token`` (for tests and the benchmark; browsers use JS)."""
    nonce = 0
    while not solves(token, str(nonce), difficulty):
        nonce += 1
    return str(nonce)


def _payload(token: str) -> dict[str, Any] | None:
    if len(token) > _MAX_TOKEN_LENGTH:
        return None
    try:
        payload = signing.Signer(salt=_SIGNER_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, json.JSONDecodeError):
        return None
    keys = {"s": str, "t": int, "x": int, "r": str, "d": int}
    if not isinstance(payload, dict) or not all(
        isinstance(payload.get(k), t) for k, t in keys.items()
    ):
        return None
    return payload


def check(request: HttpRequest, scope: str, data: Mapping[str, Any]) -> Verdict:
    """Judge the challenge posted in ``data`` for ``scope``; spend it when accepted."""
    token = force_str(data.get(CHALLENGE_FIELD) or "").strip()
    nonce = force_str(data.get(NONCE_FIELD) or "").strip()
    if not token:
        return Verdict(Outcome.MISSING)
    payload = _payload(token)
    if payload is None or payload["s"] != scope or payload.get("m") != _mandant_id(request):
        return Verdict(Outcome.INVALID)
    now = clock()
    if now >= payload["x"]:
        return Verdict(Outcome.EXPIRED)
    if nonce:
        if len(nonce) > _MAX_NONCE_LENGTH or not solves(token, nonce, payload["d"]):
            return Verdict(Outcome.WRONG)
        outcome = Outcome.SOLVED
    else:
        waited = now - payload["t"]
        wait = settings.AMTSFLUSS_POW_NOJS_WAIT_SECONDS
        if waited < wait:
            return Verdict(Outcome.TOO_EARLY, wait_seconds=max(1, int(wait - waited + 0.999)))
        outcome = Outcome.WAITED
    spent_key = "schutz:pow:" + hashlib.sha256(token.encode()).hexdigest()
    # add() is atomic on the database and Redis caches: of two racing submissions one wins
    if not cache.add(spent_key, 1, timeout=int(payload["x"] - now) + 1):
        return Verdict(Outcome.SPENT)
    return Verdict(outcome)


def verify(request: HttpRequest, scope: str, data: Mapping[str, Any]) -> bool:
    """True if ``data`` carries a solved (or, without JavaScript, waited) unused challenge."""
    return check(request, scope, data).accepted


def challenge_again(request: HttpRequest, scope: str, data: Mapping[str, Any]) -> Challenge:
    """The challenge for a form shown again: the posted one while it is still usable (so the
    wait of a no-JavaScript user goes on), else a fresh one."""
    token = force_str(data.get(CHALLENGE_FIELD) or "").strip()
    payload = _payload(token) if token else None
    usable = (
        payload is not None
        and payload["s"] == scope
        and payload.get("m") == _mandant_id(request)
        and clock() < payload["x"] - settings.AMTSFLUSS_POW_NOJS_WAIT_SECONDS
        and not cache.has_key("schutz:pow:" + hashlib.sha256(token.encode()).hexdigest())
    )
    if payload is None or not usable:
        return challenge_for(request, scope)
    return Challenge(
        token=token, difficulty=payload["d"], wait_seconds=settings.AMTSFLUSS_POW_NOJS_WAIT_SECONDS
    )


def guard_form(request: HttpRequest, scope: str, form: forms.Form) -> bool:
    """For a bound form that passed its own checks: True if the posted proof of work is
    accepted (and now spent); otherwise the form gets the reason as an error of its own.

    Check the form first: a no-JavaScript user who mistyped keeps the challenge they waited for.
    """
    verdict = check(request, scope, request.POST)
    if not verdict.accepted:
        form.add_error(None, message(verdict))
    return verdict.accepted


def message(verdict: Verdict) -> str:
    """Why a submission was not accepted, for the person who sent it."""
    if verdict.outcome is Outcome.TOO_EARLY:
        return ngettext(
            "For protection against automated requests, please wait %(n)d more second and "
            "send the form again.",
            "For protection against automated requests, please wait %(n)d more seconds and "
            "send the form again.",
            verdict.wait_seconds,
        ) % {"n": verdict.wait_seconds}
    if verdict.outcome is Outcome.WRONG:
        return _("The security check did not succeed. Please send the form again.")
    return _("The security check has expired or was already used. Please send the form again.")
