"""The command line that serves one of our WSGI applications with granian."""

from __future__ import annotations

import sys


def granian_argv(
    application: str, *, host: str, port: int, workers: int, threads: int
) -> list[str]:
    """``python -m granian`` for ``application`` (``module:callable``): WSGI, no websockets,
    ``workers`` processes with ``threads`` request threads each."""
    return [
        sys.executable, "-m", "granian",
        "--interface", "wsgi",
        "--host", host,
        "--port", str(port),
        "--workers", str(workers),
        "--blocking-threads", str(threads),
        "--no-ws",
        application,
    ]  # fmt: skip
