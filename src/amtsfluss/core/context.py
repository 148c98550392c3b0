"""Who is acting, from where: set once per request (or command) and read by the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    client_address: str = ""
    channel: str = "cli"  # web | api | cli | worker


_current: ContextVar[RequestContext] = ContextVar("amtsfluss_request_context")


def current() -> RequestContext:
    return _current.get(RequestContext())


@contextmanager
def use(context: RequestContext) -> Iterator[None]:
    token = _current.set(context)
    try:
        yield
    finally:
        _current.reset(token)
