"""Aktenplan Kennzeichen: groups of digits separated by dots (``10``, ``10.38``, ``10.38.50``)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from amtsfluss.core.errors import ServiceError

_KENNZEICHEN = re.compile(r"^\d{1,4}(\.\d{1,4}){0,7}$")


def validate_kennzeichen(value: str) -> str:
    value = value.strip()
    if not _KENNZEICHEN.match(value):
        raise ServiceError(
            _("%r is not a valid Kennzeichen (digit groups separated by dots, e.g. 10.38.50).")
            % value
        )
    return value


def parent_kennzeichen(value: str) -> str | None:
    """``10.38.50`` → ``10.38``; a top-level Kennzeichen has no parent."""
    head, dot, _tail = value.rpartition(".")
    return head if dot else None


def sort_key(value: str) -> tuple[int, ...]:
    return tuple(int(part) for part in value.split("."))
