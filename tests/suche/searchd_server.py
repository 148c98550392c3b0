"""``amtsfluss searchd``'s WSGI application on a thread of the test process, for the served
backend's runs of the backend tests (the real command under granian: ``test_searchd.py``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

TOKEN = "test-token-" + "x" * 40


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def searchd_thread() -> Iterator[str]:
    """The base URL of a running searchd (its settings are the test process's settings)."""
    from amtsfluss.suche.searchd import application

    server = make_server(
        "127.0.0.1", 0, application, server_class=_ThreadingServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
