"""Rate limits in the shared Django cache, keyed by scope and client address.

``limit(request, "dienste.antrag", "10/m")`` counts one request of the client address (from the
request context, so ``AMTSFLUSS_CLIENT_ADDRESS_HEADER`` applies) and raises :class:`RateLimited`
when the sliding window holds more than the rate allows. The window is approximated from two
fixed windows (the current one counted fully, the previous one weighted by how much of it still
overlaps), which needs two cache keys per scope and client and no list of timestamps.

Rates: ``"<count>/<period>"`` with the period ``s``, ``m``, ``h`` or ``d``, optionally with a
multiplier (``"5/15m"``). :func:`ratelimited` turns a view into one that answers 429 with
``Retry-After`` from the page ``schutz/429.html``.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from amtsfluss.core import context

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

#: the clock; tests replace it to move through windows without waiting
clock: Callable[[], float] = time.time


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"10/m"`` → 10 per 60 s; ``"5/15m"`` → 5 per 900 s. A malformed rate is a bug."""
        match = _RATE.match(text)
        if match is None or int(match[1]) < 1:
            raise ValueError(f"not a rate: {text!r} (expected e.g. '10/m', '100/h', '5/15m')")
        multiplier = int(match[2]) if match[2] else 1
        if multiplier < 1:
            raise ValueError(f"not a rate: {text!r}")
        return cls(count=int(match[1]), seconds=multiplier * _UNIT_SECONDS[match[3]])


class RateLimited(Exception):
    """Too many requests of one client in one scope; ``retry_after`` in whole seconds."""

    def __init__(self, *, scope: str, retry_after: int) -> None:
        super().__init__(f"rate limit of {scope} reached; retry after {retry_after} s")
        self.scope = scope
        self.retry_after = retry_after


def _cache_key(key: str, window: int) -> str:
    # hashed: client addresses and e-mail addresses are not stored readably, and the key
    # length stays within what every cache backend accepts
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    return f"schutz:rl:{digest}:{window}"


def _estimate(key: str, rate: Rate, now: float) -> tuple[float, int, float]:
    """(requests in the sliding window, current window number, seconds into it)."""
    window = int(now // rate.seconds)
    elapsed = now - window * rate.seconds
    counts = cache.get_many([_cache_key(key, window), _cache_key(key, window - 1)])
    current = int(counts.get(_cache_key(key, window), 0))
    previous = int(counts.get(_cache_key(key, window - 1), 0))
    weight = 1 - elapsed / rate.seconds
    return previous * weight + current, window, elapsed


def _retry_after(key: str, rate: Rate, now: float) -> int:
    """Seconds until one more request fits: at the latest when the current window ends."""
    estimate, window, elapsed = _estimate(key, rate, now)
    current = int(cache.get(_cache_key(key, window), 0))
    previous = estimate - current
    if previous > 0 and current < rate.count:
        # the previous window's weight falls linearly; wait until enough of it has gone
        per_second = previous / (rate.seconds - elapsed)
        needed = estimate - (rate.count - 1)
        return max(1, math.ceil(needed / per_second))
    return max(1, math.ceil(rate.seconds - elapsed))


def blocked_for(key: str, rate: str | Rate) -> int:
    """Seconds until ``key`` may act again (0: it may now); counts nothing."""
    parsed = rate if isinstance(rate, Rate) else Rate.parse(rate)
    now = clock()
    estimate, _window, _elapsed = _estimate(key, parsed, now)
    return _retry_after(key, parsed, now) if estimate >= parsed.count else 0


def hit(key: str, rate: str | Rate, *, scope: str = "") -> None:
    """Count one request of ``key``; raise :class:`RateLimited` if the rate is exceeded.

    A refused request is not counted, so a client that keeps trying is let in again as soon
    as its earlier requests leave the window.
    """
    parsed = rate if isinstance(rate, Rate) else Rate.parse(rate)
    now = clock()
    estimate, window, _elapsed = _estimate(key, parsed, now)
    if estimate + 1 > parsed.count:
        raise RateLimited(scope=scope or key, retry_after=_retry_after(key, parsed, now))
    current = _cache_key(key, window)
    # two windows must stay readable; add() then incr() is atomic on Redis and the database
    # (a lost increment under a race on other backends lets one extra request through)
    cache.add(current, 0, timeout=2 * parsed.seconds + 1)
    try:
        cache.incr(current)
    except ValueError:  # expired between add() and incr()
        cache.set(current, 1, timeout=2 * parsed.seconds + 1)


def client_key(scope: str) -> str:
    return f"{scope}|addr|{context.current().client_address}"


def limit(request: HttpRequest, scope: str, rate: str) -> None:
    """Count this request of the client address in ``scope``; raise :class:`RateLimited`."""
    del request  # the address comes from the request context (RequestContextMiddleware)
    hit(client_key(scope), rate, scope=scope)


def too_many_requests(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    """The 429 page with ``Retry-After``."""
    minutes = max(1, math.ceil(exc.retry_after / 60))
    response = render(request, "schutz/429.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def ratelimited[**P](
    scope: str, rate: str, *, methods: Iterable[str] = ("POST",)
) -> Callable[[Callable[P, HttpResponse]], Callable[P, HttpResponse]]:
    """Limit a view's requests of the given methods (all with ``methods=()``) per client."""
    Rate.parse(rate)  # a malformed rate fails at import, not at the first request
    counted = {m.upper() for m in methods}

    def decorate(view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
        @functools.wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            request = args[0]
            assert isinstance(request, HttpRequest)  # noqa: S101 — the view's first argument
            if not counted or request.method in counted:
                try:
                    limit(request, scope, rate)
                except RateLimited as exc:
                    return too_many_requests(request, exc)
            return view(*args, **kwargs)

        return wrapped

    return decorate
