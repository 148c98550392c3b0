"""What the ``amtsfluss`` commands read from their arguments: a Mandant by its slug, a file
(or standard input) up to a size limit. Each failure ends the command with a clear message."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import CommandError

from amtsfluss.core.models import Mandant


def mandant_by_slug(slug: str) -> Mandant:
    mandant = Mandant.objects.filter(slug=slug).first()
    if mandant is None:
        raise CommandError(f"Unknown Mandant {slug!r}")
    return mandant


def read_limited(name: str, limit: int) -> bytes:
    """The bytes of file ``name`` ('-': standard input), at most ``limit + 1`` of them, so the
    import that reads them can tell that the file is over its limit and name it."""
    if name == "-":
        return sys.stdin.buffer.read(limit + 1)
    try:
        with Path(name).open("rb") as source:
            return source.read(limit + 1)
    except OSError as exc:
        raise CommandError(f"Cannot read {name}: {exc.strerror}") from exc
