"""A simulated online payment provider for tests and the demo (``amtsfluss kasse
epay-simulator --port N``): the other end of the protocol in ``epay.py``, over real HTTP.

It keeps its transactions in memory. The citizen's page ``/zahlen/<transaktion>`` offers
"Bezahlen" and "Abbrechen"; paying sends the signed notification to the shop's
``notify_url`` first, then redirects the browser to ``return_url``. Only loopback URLs are
accepted as ``return_url``/``notify_url`` unless ``allow_remote`` is set, so the simulator
cannot be used to make requests elsewhere.
"""

from __future__ import annotations

import html
import ipaddress
import json
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from amtsfluss.kasse.epay import EpayError, check_signature, signed_headers

MAX_BODY = 16 * 1024


@dataclass
class Zahlung:
    transaktion: str
    kassenzeichen: str
    betrag: str
    zweck: str
    return_url: str
    notify_url: str
    status: str = "offen"


@dataclass
class SimulatorState:
    secret: str
    allow_remote: bool = False
    zahlungen: dict[str, Zahlung] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    notifications_sent: int = 0
    base_url: str = ""


def _loopback(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def _page(title: str, body: str) -> bytes:
    return (
        "<!DOCTYPE html><html lang='de'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title></head><body><main>"
        f"<h1>{html.escape(title)}</h1>{body}</main></body></html>"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    server_version = "ePay-Simulator/1"
    state: SimulatorState  # set on the subclass made per server

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise EpayError("body too large")
        return self.rfile.read(length)

    def _send(self, status: int, body: bytes, content_type: str, signed: bool = False) -> None:
        self.send_response(status)
        headers = signed_headers(self.state.secret, body) if signed else {}
        headers["Content-Type"] = content_type
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data: dict[str, Any]) -> None:
        self._send(status, json.dumps(data).encode(), "application/json", signed=True)

    def _authenticated(self, body: bytes) -> bool:
        try:
            check_signature(self.state.secret, body, dict(self.headers.items()), time.time())
        except EpayError:
            self._json(401, {"fehler": "signature"})
            return False
        return True

    def do_GET(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith("/api/zahlungen/"):
            if not self._authenticated(b""):
                return
            zahlung = self.state.zahlungen.get(path.rsplit("/", 1)[1])
            if zahlung is None:
                self._json(404, {"fehler": "unbekannt"})
                return
            self._json(
                200,
                {
                    "transaktion": zahlung.transaktion,
                    "status": zahlung.status,
                    "betrag": zahlung.betrag,
                    "kassenzeichen": zahlung.kassenzeichen,
                },
            )
            return
        if path.startswith("/zahlen/"):
            zahlung = self.state.zahlungen.get(path.rsplit("/", 1)[1])
            if zahlung is None:
                self._send(404, _page("Unbekannte Zahlung", ""), "text/html; charset=utf-8")
                return
            form = (
                f"<p>Kassenzeichen {html.escape(zahlung.kassenzeichen)}: "
                f"{html.escape(zahlung.betrag)} EUR ({html.escape(zahlung.zweck)})</p>"
                f"<form method='post' action='/zahlen/{html.escape(zahlung.transaktion)}'>"
                "<button name='aktion' value='bezahlen'>Bezahlen</button> "
                "<button name='aktion' value='abbrechen'>Abbrechen</button></form>"
            )
            self._send(200, _page("ePay-Simulator", form), "text/html; charset=utf-8")
            return
        self._send(404, _page("Nicht gefunden", ""), "text/html; charset=utf-8")

    def do_POST(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        try:
            body = self._body()
        except EpayError:
            self._json(413, {"fehler": "zu groß"})
            return
        if path == "/api/zahlungen":
            self._start(body)
        elif path.startswith("/zahlen/"):
            self._pay(path.rsplit("/", 1)[1], body)
        else:
            self._json(404, {"fehler": "unbekannt"})

    def _start(self, body: bytes) -> None:
        if not self._authenticated(body):
            return
        try:
            data = json.loads(body)
            zahlung = Zahlung(
                transaktion="T" + secrets.token_hex(12),
                kassenzeichen=str(data["kassenzeichen"])[:30],
                betrag=str(data["betrag"])[:20],
                zweck=str(data.get("zweck", ""))[:140],
                return_url=str(data["return_url"]),
                notify_url=str(data["notify_url"]),
            )
        except (ValueError, KeyError, TypeError):
            self._json(400, {"fehler": "ungültig"})
            return
        if not self.state.allow_remote and not (
            _loopback(zahlung.return_url) and _loopback(zahlung.notify_url)
        ):
            self._json(400, {"fehler": "nur loopback"})
            return
        with self.state.lock:
            self.state.zahlungen[zahlung.transaktion] = zahlung
        self._json(
            201,
            {
                "transaktion": zahlung.transaktion,
                "redirect_url": f"{self.state.base_url}/zahlen/{zahlung.transaktion}",
            },
        )

    def _pay(self, transaktion: str, body: bytes) -> None:
        zahlung = self.state.zahlungen.get(transaktion)
        if zahlung is None or zahlung.status != "offen":
            self._send(409, _page("Zahlung nicht offen", ""), "text/html; charset=utf-8")
            return
        aktion = urllib.parse.parse_qs(body.decode(errors="replace")).get("aktion", [""])[0]
        zahlung.status = "bezahlt" if aktion == "bezahlen" else "abgebrochen"
        notify(self.state, zahlung)
        self.send_response(303)
        self.send_header("Location", zahlung.return_url)
        self.send_header("Content-Length", "0")
        self.end_headers()


def notification_body(zahlung: Zahlung, nachricht_id: str | None = None) -> bytes:
    return json.dumps(
        {
            "nachricht_id": nachricht_id or "N" + secrets.token_hex(12),
            "transaktion": zahlung.transaktion,
            "status": zahlung.status,
            "betrag": zahlung.betrag,
            "kassenzeichen": zahlung.kassenzeichen,
        }
    ).encode()


def notify(state: SimulatorState, zahlung: Zahlung) -> int:
    """POST the signed notification of ``zahlung`` to its notify URL; the HTTP status."""
    body = notification_body(zahlung)
    request = urllib.request.Request(  # noqa: S310 - loopback http(s) checked at start
        zahlung.notify_url, data=body, method="POST", headers=signed_headers(state.secret, body)
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:
        status = 0
    state.notifications_sent += 1
    return status


def make_server(
    *, host: str = "127.0.0.1", port: int = 0, secret: str, allow_remote: bool = False
) -> tuple[ThreadingHTTPServer, SimulatorState]:
    """A simulator server bound to ``host:port`` (0: any free port); call serve_forever()."""
    state = SimulatorState(secret=secret, allow_remote=allow_remote)
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer((host, port), handler)
    state.base_url = f"http://{host}:{server.server_address[1]}"
    return server, state
