"""Where the time of one send goes: the ``dienste`` benchmark's in-process driver.

It runs inside ``amtsfluss shell`` of the benchmark's instance (its settings and database), while
the server is idle. The simulated citizen walks the real flow against the WSGI application in
this process (``httpx.WSGITransport``, Django's production request handler); around each send
request the phases are timed by wrapping, for that request only, the functions that do them:

* ``pdf`` — WeasyPrint rendering the PDF/A renditions (the Antrag and the Eingangsbestätigung,
  ``core.printable.html_to_pdf`` as the submission calls it),
* ``print templates`` — rendering their HTML templates,
* ``sql`` — executing statements and fetching rows (``CursorWrapper``), ``commit`` — COMMIT,
* ``blobs`` — writing the documents' bytes (``blob_store``: hash, file, fsync),
* ``audit`` — the hash-chained audit events (their SQL counts as ``sql``),
* ``search index`` — rebuilding the search entries of the new Dokumente after the commit,
* ``other`` — the rest: middleware, proof-of-work check, form evaluation, ORM, the view.

A phase inside another counts for itself only (SQL run by the audit log is ``sql``).
``transaction`` is the inclusive time of the locked part of the submission
(``_submit_locked``: everything between BEGIN and COMMIT; since 0a1a14e the PDF renditions are
rendered after that commit, with no lock held, and filed in a second short transaction).
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import wraps
from typing import Any

RESULT_MARK = "DIENSTE_BREAKDOWN "
_MISSING = object()
PHASES = ("pdf", "print templates", "sql", "commit", "blobs", "audit", "search index")


class Phases:
    """Exclusive seconds per phase, and the inclusive seconds of the submission's transaction."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)
        self.transaction = 0.0
        self.queries = 0
        self._stack: list[list[float]] = []  # [start, seconds of inner phases]

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        stack, totals = self._stack, self.totals

        @wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            frame = [time.perf_counter(), 0.0]
            stack.append(frame)
            try:
                return function(*args, **kwargs)
            finally:
                stack.pop()
                elapsed = time.perf_counter() - frame[0]
                totals[name] += elapsed - frame[1]
                if stack:
                    stack[-1][1] += elapsed

        return timed

    def inclusive(self, function: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.transaction += time.perf_counter() - started

        return timed

    def counted(self, function: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(function)
        def count(*args: Any, **kwargs: Any) -> Any:
            self.queries += 1
            return function(*args, **kwargs)

        return count

    @contextmanager
    def installed(self) -> Iterator[None]:
        from django.db.backends.base.base import BaseDatabaseWrapper
        from django.db.backends.utils import CursorWrapper

        from amtsfluss.akte.services import dokument
        from amtsfluss.core import audit
        from amtsfluss.dienste.services import antrag, antrag_dokumente
        from amtsfluss.suche import indexing

        patches: list[tuple[Any, str, Any]] = []

        def patch(owner: Any, attribute: str, wrapper: Callable[..., Any]) -> None:
            before = owner.__dict__.get(attribute, _MISSING)
            patches.append((owner, attribute, before))
            setattr(owner, attribute, wrapper)

        for method in ("execute", "executemany"):
            original = getattr(CursorWrapper, method)
            patch(CursorWrapper, method, self.counted(self.wrap("sql", original)))
        for method in ("fetchone", "fetchmany", "fetchall"):
            patch(CursorWrapper, method, self.wrap("sql", _fetch(method)))
        patch(BaseDatabaseWrapper, "commit", self.wrap("commit", BaseDatabaseWrapper.commit))
        for owner, attribute, name in (
            (antrag_dokumente, "html_to_pdf", "pdf"),
            (antrag_dokumente, "render_to_string", "print templates"),
            (dokument, "blob_store", "blobs"),
        ):  # the names as the submission's modules imported them
            patch(owner, attribute, self.wrap(name, getattr(owner, attribute)))
        patch(audit, "record", self.wrap("audit", audit.record))
        patch(indexing, "process_pending", self.wrap("search index", indexing.process_pending))
        patch(antrag, "_submit_locked", self.inclusive(antrag._submit_locked))
        try:
            yield
        finally:
            for owner, attribute, before in reversed(patches):
                if before is _MISSING:
                    with suppress(AttributeError):
                        delattr(owner, attribute)
                else:
                    setattr(owner, attribute, before)


def _fetch(method: str) -> Callable[..., Any]:
    def fetch(cursor_wrapper: Any, *args: Any) -> Any:
        with cursor_wrapper.db.wrap_database_errors:
            return getattr(cursor_wrapper.cursor, method)(*args)

    return fetch


class _MeasuredSend:
    """A WSGI application that times the phases of the send requests only."""

    def __init__(self, application: Callable[..., Any]) -> None:
        self.application = application
        self.rows: list[dict[str, Any]] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if not environ.get("PATH_INFO", "").endswith("/einreichen/"):
            return self.application(environ, start_response)
        phases = Phases()
        with phases.installed():
            started = time.perf_counter()
            body = list(self.application(environ, start_response))
            total = time.perf_counter() - started
        known = sum(phases.totals.values())
        self.rows.append(
            {
                "total_ms": total * 1000,
                **{f"{name}_ms": phases.totals.get(name, 0.0) * 1000 for name in PHASES},
                "other_ms": (total - known) * 1000,
                "transaction_ms": phases.transaction * 1000,
                "queries": phases.queries,
            }
        )
        return body


def in_process(params_json: str) -> None:
    """Walk ``calls`` (+ 1 warm-up) applications in this process; print the phases of each send
    as one result line for the parent."""
    import httpx
    from django.core.handlers.wsgi import WSGIHandler

    from bench.dienste_buerger import person, solve_pow, walk

    params = json.loads(params_json)
    application = _MeasuredSend(WSGIHandler())
    transport = httpx.WSGITransport(app=application)
    statuses, errors = [], []
    with httpx.Client(transport=transport, base_url=f"http://{params['host']}") as client:
        for number in range(params["calls"] + 1):
            result = walk(client, person(params["seed"] + number), solve_pow)
            if result.error:
                errors.append(result.error)
            elif number:
                statuses.append(result.status_path)
    rows = application.rows[1:]  # the first send warms up (fonts, templates, first Akte)
    output = {"rows": rows, "errors": errors, "status_paths": statuses}
    sys.stdout.write(RESULT_MARK + json.dumps(output) + "\n")
    sys.stdout.flush()
