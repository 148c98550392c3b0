"""Errors that services raise for the caller to show; messages are translated for people."""

from __future__ import annotations


class ServiceError(Exception):
    """A request that the rules refuse; ``message`` is meant for the person who asked."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class PermissionDenied(ServiceError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="forbidden")


class Unavailable(ServiceError):
    """A service this request depends on does not answer (e.g. the search machine): try later."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="unavailable")
