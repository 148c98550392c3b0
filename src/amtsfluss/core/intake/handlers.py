"""Handlers per purpose: ``register_handler("rechnung", receive_invoice_mail)``.

A handler takes one :class:`IntakeItem` and runs inside the transaction that records the item
as done: when it raises, nothing it wrote stays and the item is retried later. It raises
:class:`Refused` (or a ``ServiceError``) for an item that no retry can help; that item is kept
with the reason and not retried; :class:`TryLater` (or any other exception) keeps it for a
later retry. It may return a short text (e.g. the numbers of the records it
made) that is kept with the item.
"""

from __future__ import annotations

from collections.abc import Callable

from amtsfluss.core.intake.items import IntakeItem

Handler = Callable[[IntakeItem], str | None]

_HANDLERS: dict[str, Handler] = {}


class Refused(Exception):
    """The item cannot be taken in (no retry helps); ``reason`` is for people."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TryLater(Exception):
    """The item cannot be taken in now (a missing rule pack, a service down); it is retried."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def register_handler(purpose: str, handler: Handler) -> None:
    _HANDLERS[purpose] = handler


def handler_for(purpose: str) -> Handler | None:
    return _HANDLERS.get(purpose)


def purposes() -> list[str]:
    return sorted(_HANDLERS)
