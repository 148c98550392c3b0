"""Online payment platforms (ePayBL-like): the adapter interface and its HTTP(JSON) speaker.

The protocol (ours, modelled on what such platforms do; ``simulator.py`` speaks its other end):

* ``POST {base}/api/zahlungen`` with ``{"haendler", "kassenzeichen", "betrag", "waehrung",
  "zweck", "return_url", "notify_url"}`` → ``{"transaktion", "redirect_url"}``; the citizen is
  sent to ``redirect_url`` (on the provider's origin) and comes back to ``return_url``.
* ``GET {base}/api/zahlungen/{transaktion}`` → ``{"transaktion", "status", "betrag",
  "kassenzeichen"}`` with status ``offen|bezahlt|abgebrochen``.
* The provider notifies ``notify_url`` by ``POST`` of ``{"nachricht_id", "transaktion",
  "status", "betrag", "kassenzeichen"}``.

Every message in both directions is signed: header ``X-Epay-Timestamp`` (Unix seconds) and
``X-Epay-Signature`` = hex HMAC-SHA256 over ``timestamp + "." + body`` with the shared secret.
A notification is accepted only with a valid signature, a timestamp within ``MAX_SKEW``
seconds, and a ``nachricht_id`` not seen before (replays are refused).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings

SIGNATURE_HEADER = "X-Epay-Signature"
TIMESTAMP_HEADER = "X-Epay-Timestamp"
MAX_SKEW = 300
MAX_RESPONSE_BYTES = 64 * 1024
STATUSES = ("offen", "bezahlt", "abgebrochen")


class EpayError(Exception):
    """The provider could not be reached, or answered something we do not accept."""


@dataclass(frozen=True)
class Start:
    transaktion: str
    redirect_url: str


@dataclass(frozen=True)
class Notification:
    nachricht_id: str
    transaktion: str
    status: str
    betrag: Decimal
    kassenzeichen: str


class PaymentProvider(Protocol):
    """What the Kasse needs of an online payment platform."""

    origin: str

    def start(
        self, *, kassenzeichen: str, betrag: Decimal, zweck: str, return_url: str, notify_url: str
    ) -> Start: ...

    def status(self, transaktion: str) -> str: ...

    def verify_notification(self, *, body: bytes, headers: dict[str, str]) -> Notification: ...


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(time.time() if now is None else now))
    return {
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
        "Content-Type": "application/json",
    }


def check_signature(secret: str, body: bytes, headers: dict[str, str], now: float) -> None:
    """Raise EpayError unless ``body`` carries a valid, fresh signature."""
    lowered = {key.lower(): value for key, value in headers.items()}
    timestamp = lowered.get(TIMESTAMP_HEADER.lower(), "")
    signature = lowered.get(SIGNATURE_HEADER.lower(), "")
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise EpayError("missing or malformed timestamp")
    if abs(now - int(timestamp)) > MAX_SKEW:
        raise EpayError("timestamp outside the accepted window")
    if not hmac.compare_digest(sign(secret, timestamp, body), signature):
        raise EpayError("bad signature")


def _text(data: dict[str, Any], key: str, limit: int = 100) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not 0 < len(value) <= limit:
        raise EpayError(f"field {key!r} missing or malformed")
    return value


def _betrag(data: dict[str, Any]) -> Decimal:
    raw = _text(data, "betrag", 20)
    try:
        value = Decimal(raw)
    except ArithmeticError:
        raise EpayError("betrag is not a number") from None
    if not value.is_finite():
        raise EpayError("betrag is not a number")
    return value


class HttpProvider:
    """The payment platform reached over HTTP(S) with JSON, as configured."""

    def __init__(self, *, base_url: str, secret: str, haendler: str, timeout: float = 10) -> None:
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise EpayError("the provider's base URL must be http(s)://host[:port]")
        if not secret:
            raise EpayError("no shared secret configured")
        self.base_url = base_url.rstrip("/")
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.secret = secret
        self.haendler = haendler
        self.timeout = timeout
        # no proxies from the environment: the provider is reached directly
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def _call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        body = b"" if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            self.base_url + path,
            data=body if payload is not None else None,
            method=method,
            headers={**signed_headers(self.secret, body), "Accept": "application/json"},
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                raw = response.read(MAX_RESPONSE_BYTES + 1)
                answer_headers = dict(response.headers.items())
        except urllib.error.HTTPError as exc:
            raise EpayError(f"provider refused the request (HTTP {exc.code})") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise EpayError(f"provider not reachable: {exc}") from None
        if len(raw) > MAX_RESPONSE_BYTES:
            raise EpayError("provider answer too large")
        check_signature(self.secret, raw, answer_headers, time.time())
        try:
            return json.loads(raw)
        except ValueError:
            raise EpayError("provider answer is not JSON") from None

    def start(
        self, *, kassenzeichen: str, betrag: Decimal, zweck: str, return_url: str, notify_url: str
    ) -> Start:
        answer = self._call(
            "POST",
            "/api/zahlungen",
            {
                "haendler": self.haendler,
                "kassenzeichen": kassenzeichen,
                "betrag": f"{betrag:.2f}",
                "waehrung": "EUR",
                "zweck": zweck,
                "return_url": return_url,
                "notify_url": notify_url,
            },
        )
        if not isinstance(answer, dict):
            raise EpayError("unexpected answer")
        redirect_url = _text(answer, "redirect_url", 2000)
        if not redirect_url.startswith(self.origin + "/"):
            raise EpayError("redirect to a foreign origin refused")
        return Start(transaktion=_text(answer, "transaktion"), redirect_url=redirect_url)

    def status(self, transaktion: str) -> str:
        answer = self._call("GET", "/api/zahlungen/" + urllib.parse.quote(transaktion, safe=""))
        if not isinstance(answer, dict) or answer.get("status") not in STATUSES:
            raise EpayError("unexpected status answer")
        return str(answer["status"])

    def verify_notification(self, *, body: bytes, headers: dict[str, str]) -> Notification:
        check_signature(self.secret, body, headers, time.time())
        try:
            data = json.loads(body)
        except ValueError:
            raise EpayError("notification is not JSON") from None
        if not isinstance(data, dict):
            raise EpayError("notification is not an object")
        status = _text(data, "status", 20)
        if status not in STATUSES:
            raise EpayError("unknown status")
        return Notification(
            nachricht_id=_text(data, "nachricht_id"),
            transaktion=_text(data, "transaktion"),
            status=status,
            betrag=_betrag(data),
            kassenzeichen=_text(data, "kassenzeichen", 30),
        )


def configured_provider() -> PaymentProvider | None:
    """The provider from the settings ``AMTSFLUSS_EPAY_URL``, ``AMTSFLUSS_EPAY_SECRET`` and
    ``AMTSFLUSS_EPAY_HAENDLER``; None when no URL is configured (no online payment offered)."""
    base_url = getattr(settings, "AMTSFLUSS_EPAY_URL", "")
    if not base_url:
        return None
    return HttpProvider(
        base_url=base_url,
        secret=getattr(settings, "AMTSFLUSS_EPAY_SECRET", ""),
        haendler=getattr(settings, "AMTSFLUSS_EPAY_HAENDLER", "amtsfluss"),
    )
