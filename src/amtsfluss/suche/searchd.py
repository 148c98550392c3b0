"""``amtsfluss searchd``: the tantivy index of every Mandant, served to the web machines.

A WSGI application without Django's request machinery (no session, no Mandant by host): the
callers are amtsfluss's own web machines and workers, authenticated by the shared
``AMTSFLUSS_SEARCH_TOKEN``. They send the Mandant, the reader keys and the hidden Akten with
every query (``backends.wire``); this server runs the embedded backend's code on its own index
directory, so search, permission filter and facets are one tantivy query, as on one machine.

    POST /search    {"mandant", "parsed", "filters", "keys", ...}  → {"hits", "total", "facets"}
    POST /replace   {"mandant", "entries", "akten", "dokumente", "wait"}  → {"replaced": bool}
    POST /clear     {"mandant"}  → {"cleared": true}
    GET  /healthz   → {"ok": true} (no token: for the load balancer)
"""

from __future__ import annotations

import hmac
import json
import logging
import os
from collections.abc import Callable, Iterable
from typing import Any

import django

os.environ.setdefault(
    "DJANGO_SETTINGS_MODULE",
    f"amtsfluss.settings.{os.environ.get('AMTSFLUSS_SETTINGS', 'embedded')}",
)
django.setup()

from django.conf import settings  # noqa: E402

from amtsfluss.suche.backends import wire  # noqa: E402
from amtsfluss.suche.backends.tantivy_index import TantivyBackend  # noqa: E402

logger = logging.getLogger(__name__)

#: a replace batch carries the full texts of its Dokumente
MAX_BODY_BYTES = 256 * 1024 * 1024
AUTHORIZATION = "HTTP_AUTHORIZATION"

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
_BACKEND = TantivyBackend()


class _Refused(Exception):
    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def _authorized(environ: dict[str, Any]) -> bool:
    token = settings.SEARCH_TOKEN
    sent = environ.get(AUTHORIZATION, "")
    return bool(token) and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())


def _body(environ: dict[str, Any]) -> dict[str, Any]:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise _Refused("400 Bad Request", "Content-Length is not a number") from None
    if length <= 0:
        raise _Refused("411 Length Required", "a body with its Content-Length is required")
    if length > MAX_BODY_BYTES:
        raise _Refused("413 Content Too Large", "the body is too large")
    raw = environ["wsgi.input"].read(length)
    try:
        message = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise _Refused("400 Bad Request", "the body is not JSON") from None
    if not isinstance(message, dict):
        raise _Refused("400 Bad Request", "the body is not a JSON object")
    return message


def _search(message: dict[str, Any]) -> dict[str, Any]:
    mandant, query = wire.decode_mandant(message), wire.decode_query(message)
    return wire.result_message(_BACKEND.search(mandant, query))


def _replace(message: dict[str, Any]) -> dict[str, Any]:
    asked = wire.decode_replace(message)
    replaced = _BACKEND.replace(
        asked.mandant, asked.entries, akten=asked.akten, dokumente=asked.dokumente, wait=asked.wait
    )
    return {"replaced": replaced}


def _clear(message: dict[str, Any]) -> dict[str, Any]:
    _BACKEND.clear(wire.decode_mandant(message))
    return {"cleared": True}


ROUTES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "/search": _search,
    "/replace": _replace,
    "/clear": _clear,
}


def _answer(start_response: StartResponse, status: str, body: dict[str, Any]) -> Iterable[bytes]:
    data = json.dumps(body, ensure_ascii=False).encode()
    start_response(
        status,
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(data))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [data]


def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
    if path == "/healthz" and method in ("GET", "HEAD"):
        return _answer(start_response, "200 OK", {"ok": True})
    if not _authorized(environ):
        return _answer(start_response, "401 Unauthorized", {"detail": "a valid token is needed"})
    handler = ROUTES.get(path)
    if handler is None:
        return _answer(start_response, "404 Not Found", {"detail": "no such endpoint"})
    if method != "POST":
        return _answer(start_response, "405 Method Not Allowed", {"detail": "use POST"})
    try:
        return _answer(start_response, "200 OK", handler(_body(environ)))
    except _Refused as refused:
        return _answer(start_response, refused.status, {"detail": refused.reason})
    except wire.WireError as exc:
        return _answer(start_response, "400 Bad Request", {"detail": str(exc)})
    except Exception:
        logger.exception("searchd: %s failed", path)
        return _answer(start_response, "500 Internal Server Error", {"detail": "search failed"})
