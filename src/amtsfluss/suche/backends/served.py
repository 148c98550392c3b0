"""The served backend: the tantivy index lives on one search machine (``amtsfluss searchd``),
and every web machine and worker asks it over HTTP (``AMTSFLUSS_SEARCH_URL``).

The engine work is the embedded backend's, on the search machine; this side only sends the
query (with the principal's reader keys and the hidden Akten, so the permission filter stays
part of the one query) and the index entries the journal produced. One connection pool per
process.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

import httpx
from django.conf import settings

from amtsfluss.core.models import Mandant
from amtsfluss.suche.backends import wire
from amtsfluss.suche.backends.base import EngineQuery, EngineResult, search_unavailable
from amtsfluss.suche.backends.tantivy_index import LOCK_WAIT_SECONDS
from amtsfluss.suche.entries import IndexEntry

SEARCH_TIMEOUT = httpx.Timeout(10.0, connect=2.0)
#: a readiness probe must answer before the load balancer's own timeout: each phase is
#: bounded on its own, so connect, send and answer take about 2 s in all at the most
CHECK_TIMEOUT = httpx.Timeout(1.0, connect=0.5, pool=0.5)
#: a replace that waits for the index may wait as long as the search machine's writer lock
WRITE_TIMEOUT = httpx.Timeout(LOCK_WAIT_SECONDS + 60.0, connect=2.0)

logger = logging.getLogger(__name__)
_CLIENT: dict[tuple[str, str], httpx.Client] = {}
_CLIENT_LOCK = threading.Lock()


def _client() -> httpx.Client:
    key = (settings.SEARCH_URL, settings.SEARCH_TOKEN)
    with _CLIENT_LOCK:
        client = _CLIENT.get(key)
        if client is None:
            client = httpx.Client(
                base_url=settings.SEARCH_URL.rstrip("/"),
                headers={"Authorization": f"Bearer {settings.SEARCH_TOKEN}"},
                limits=httpx.Limits(max_connections=32, max_keepalive_connections=8),
            )
            _CLIENT[key] = client
        return client


def _post(path: str, message: dict[str, Any], timeout: httpx.Timeout) -> dict[str, Any]:
    """The search machine's answer; :class:`Unavailable` when it gives none (the journal keeps
    a failed write, and the periodic task tries it again)."""
    try:
        answer = _client().post(path, json=message, timeout=timeout)
    except httpx.HTTPError as exc:
        logger.warning("searchd %s: %s", path, exc)
        raise search_unavailable() from exc
    if answer.status_code != 200:
        logger.warning("searchd %s answered %s: %s", path, answer.status_code, answer.text[:200])
        raise search_unavailable()
    found: dict[str, Any] = answer.json()
    return found


class ServedBackend:
    name = "served"

    def replace(
        self,
        mandant: Mandant,
        entries: Sequence[IndexEntry],
        *,
        akten: Sequence[int] = (),
        dokumente: Sequence[int] = (),
        wait: bool = False,
    ) -> bool:
        message = wire.replace_message(
            mandant, entries, akten=akten, dokumente=dokumente, wait=wait
        )
        return bool(_post("/replace", message, WRITE_TIMEOUT)["replaced"])

    def clear(self, mandant: Mandant) -> None:
        _post("/clear", {"mandant": wire.mandant_ref(mandant)}, WRITE_TIMEOUT)

    def search(self, mandant: Mandant, query: EngineQuery) -> EngineResult:
        return wire.decode_result(
            _post("/search", wire.query_message(mandant, query), SEARCH_TIMEOUT)
        )

    def check(self) -> None:
        """The search machine answers its health probe in time."""
        try:
            answer = _client().get("/healthz", timeout=CHECK_TIMEOUT)
        except httpx.HTTPError as exc:
            logger.warning("searchd /healthz: %s", exc)
            raise search_unavailable() from exc
        if answer.status_code != 200:
            logger.warning("searchd /healthz answered %s", answer.status_code)
            raise search_unavailable()
