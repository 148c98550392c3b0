"""One index run per Mandant at a time (:class:`~amtsfluss.suche.models.Indexlauf`).

A run reads what is stale, builds the entries from the database and writes them to the
engine. Two runs of one Mandant side by side could write in the other order than they read:
the older entries (an Akte still ``offen``) over the newer ones (``streng vertraulich``), after
the newer run had emptied the journal that hid the Akte. So every run — a commit's, the minute
task's, a reindex batch — holds the Mandant's lease from its first read to its last write.

The lease is a row taken with a conditional UPDATE, the same on SQLite and PostgreSQL; a run
that dies (kill -9) leaves a lease that runs out after :data:`RUN_LEASE`, and until then the
Akten it left in the journal stay hidden from searches (fail closed).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from amtsfluss.suche.models import Indexlauf

#: far longer than one batch (build the entries, wait for the engine's writer, write)
RUN_LEASE = timedelta(minutes=10)
#: how long a run that must not give up (a reindex batch) waits for the lease
WAIT_SECONDS = 120.0


@dataclass
class Lauf:
    """A held lease on one Mandant's index."""

    mandant_id: int
    until: datetime

    def renew(self) -> bool:
        """Extend the lease; False when it ran out and another run took it (write nothing)."""
        until = timezone.now() + RUN_LEASE
        kept = Indexlauf.objects.filter(mandant_id=self.mandant_id, held_until=self.until).update(
            held_until=until
        )
        if kept:
            self.until = until
        return bool(kept)

    def release(self) -> None:
        Indexlauf.objects.filter(mandant_id=self.mandant_id, held_until=self.until).update(
            held_until=None
        )


def _take(mandant_id: int) -> Lauf | None:
    now = timezone.now()
    until = now + RUN_LEASE
    free = Q(held_until__isnull=True) | Q(held_until__lt=now)
    if Indexlauf.objects.filter(mandant_id=mandant_id).filter(free).update(held_until=until):
        return Lauf(mandant_id, until)
    if Indexlauf.objects.filter(mandant_id=mandant_id).exists():
        return None
    try:  # the Mandant's first run
        with transaction.atomic():
            Indexlauf.objects.create(mandant_id=mandant_id, held_until=until)
    except IntegrityError:  # another run made the row first, and holds it
        return None
    return Lauf(mandant_id, until)


@contextmanager
def index_run(mandant_id: int, *, wait: bool) -> Iterator[Lauf | None]:
    """Hold the Mandant's index lease within the block; ``None`` when another run holds it
    (with ``wait``: still after :data:`WAIT_SECONDS`)."""
    deadline = time.monotonic() + (WAIT_SECONDS if wait else 0.0)
    pause = 0.02
    while (lauf := _take(mandant_id)) is None and time.monotonic() < deadline:
        time.sleep(pause)
        pause = min(pause * 2, 0.5)
    try:
        yield lauf
    finally:
        if lauf is not None:
            lauf.release()
