"""Keeping the index current: the journal of stale Akten, and the full reindex.

Signals (``suche.signals``) call :func:`akte_changed` inside the writing transaction; on commit
:func:`process_pending` rebuilds those Akten's entries. Searches leave out Akten with pending
rows, so a stale entry is hidden rather than shown to someone who lost access. Every run holds
the Mandant's index lease from reading to writing (:mod:`amtsfluss.suche.indexlauf`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.tasks import Task
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsfluss.akte.models import Dokument
from amtsfluss.core import context
from amtsfluss.core.errors import Unavailable
from amtsfluss.core.models import Mandant
from amtsfluss.suche.backends import backend_name, get_backend
from amtsfluss.suche.backends.base import Backend
from amtsfluss.suche.entries import entries_for, entries_for_akten
from amtsfluss.suche.indexlauf import Lauf, index_run
from amtsfluss.suche.models import Indexauftrag, Reindexstand

logger = logging.getLogger(__name__)
PENDING_BATCH = 200
REINDEX_BATCH = 500


def akte_changed(*, mandant_id: int, akte_id: int) -> None:
    """Mark the Akte's entries stale now; rebuild them once the transaction has committed."""
    Indexauftrag.objects.create(mandant_id=mandant_id, akte_id=akte_id)
    _after_commit(mandant_id)


def dokument_changed(*, mandant_id: int, akte_id: int, dokument_id: int) -> None:
    """Mark one Dokument's entry stale (its Akte stays unchanged): only that entry is rebuilt,
    so filing the n-th Dokument of a large Akte does not rebuild the other n − 1."""
    Indexauftrag.objects.create(mandant_id=mandant_id, akte_id=akte_id, dokument_id=dokument_id)
    _after_commit(mandant_id)


#: how many of the transaction's latest commit callbacks are looked through for its run
_RECENT_CALLBACKS = 8


@dataclass(eq=False)
class _Run:
    """The journal processing of one Mandant after one commit: registered as the commit hook of
    each of that commit's journal rows, it runs once, at the first of them."""

    mandant_id: int
    done: bool = False

    def __call__(self) -> None:
        if not self.done:
            _process_after_commit(self.mandant_id)
            self.done = True


def _after_commit(mandant_id: int) -> None:
    """Process the Mandant's journal once the transaction has committed — once per commit:
    filing a Dokument journals it three times (Dokument, version, text), and the first hook's
    run takes all three rows; the hooks after it that share its run do nothing.

    Every journal row still registers a hook of its own, so whichever of them outlives a
    savepoint rollback (Django drops the hooks of a rolled-back savepoint) does the run. Only
    the transaction's latest hooks are looked through for the run to share: a transaction of
    thousands of changes stays linear, at worst with a few runs more.
    """
    transaction.on_commit(_pending_run(mandant_id), robust=True)


def _pending_run(mandant_id: int) -> _Run:
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        for _sids, hook, _robust in reversed(connection.run_on_commit[-_RECENT_CALLBACKS:]):
            if isinstance(hook, _Run) and hook.mandant_id == mandant_id and not hook.done:
                return hook
    return _Run(mandant_id)


def _process_after_commit(mandant_id: int) -> None:
    if context.current().channel == "worker":
        # A worker files Dokumente one after another (a bulk intake, a mailbox): one index task
        # takes everything pending by the time it runs — one index commit for many Dokumente
        # instead of one each (a tantivy commit costs more than filing the Dokument).
        from amtsfluss.suche.tasks import process_pending_index

        if not _task_waiting(process_pending_index):
            process_pending_index.enqueue()
        return
    mandant = Mandant.objects.filter(pk=mandant_id).first()
    if mandant is not None:
        process_pending(mandant)


def _task_waiting(task: Task[[], int]) -> bool:
    """The task is queued and not yet started: it will read the journal after this commit, so
    it takes this transaction's rows too (one index task, not one per filed Dokument)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(task.get_backend(), DatabaseBackend):
        return False
    return DBTaskResult.objects.ready().filter(task_path=task.module_path).exists()


def hidden_akten(mandant: Mandant) -> tuple[int, ...]:
    """Akten whose entries are being rebuilt: a search leaves them out."""
    ids = Indexauftrag.objects.filter(mandant_id=mandant.pk).values_list("akte_id", flat=True)
    return tuple(sorted(set(ids)))


def process_pending(mandant: Mandant, *, wait: bool = False) -> int:
    """Rebuild the stale entries of the journal — whole Akten, or single Dokumente where only
    they changed; returns how many Akten were touched.

    Runs under the Mandant's index lease (:mod:`amtsfluss.suche.indexlauf`), so entries are
    written in the order they were read. When another run holds it, this one leaves the rows to
    it: the holder looks at the journal again after letting go. Only the journal rows read are
    deleted afterwards, so a change that arrives meanwhile stays pending. Without ``wait`` an
    index busy in another process is left for later.
    """
    backend = get_backend()
    done = 0
    while True:
        with index_run(mandant.pk, wait=wait) as lauf:
            if lauf is None:
                return done
            drained, rebuilt = _drain(mandant, backend, lauf, wait=wait)
            done += rebuilt
        # a run that found the lease taken while this one held it left its rows to this one
        if not drained or not Indexauftrag.objects.filter(mandant_id=mandant.pk).exists():
            return done


def _drain(mandant: Mandant, backend: Backend, lauf: Lauf, *, wait: bool) -> tuple[bool, int]:
    """Work through the journal while holding the lease: (journal emptied, Akten touched)."""
    done = 0
    while True:
        rows = list(
            Indexauftrag.objects.filter(mandant_id=mandant.pk)
            .order_by("pk")
            .values_list("pk", "akte_id", "dokument_id")[:PENDING_BATCH]
        )
        if not rows:
            return True, done
        akten = sorted({akte_id for _, akte_id, dokument_id in rows if dokument_id is None})
        whole = set(akten)
        dokumente = sorted(
            {dokument_id for _, akte_id, dokument_id in rows if dokument_id is not None}
            - {dokument_id for _, akte_id, dokument_id in rows if akte_id in whole}
        )
        entries = entries_for_akten(akten) + entries_for(dokumente)
        if not lauf.renew():  # the lease ran out and another run may be writing: leave it
            logger.warning("suche: index lease of Mandant %s ran out during a run", mandant.pk)
            return False, done
        if not backend.replace(mandant, entries, akten=akten, dokumente=dokumente, wait=wait):
            return False, done
        Indexauftrag.objects.filter(pk__in=[pk for pk, _, _ in rows]).delete()
        done += len({akte_id for _, akte_id, _ in rows})


def index_busy() -> Unavailable:
    return Unavailable(
        _(
            "The search index is busy with another run. Please try again later; a reindex goes on "
            "after its last finished batch."
        )
    )


def reindex(
    mandant: Mandant,
    *,
    restart: bool = False,
    batch_size: int = REINDEX_BATCH,
    progress: Callable[[int], object] | None = None,
) -> int:
    """Index every Dokument of the Mandant in id order, resuming after the last finished batch.

    Each batch is built and written under the Mandant's index lease, then recorded in
    ``Reindexstand``; a run that is interrupted continues after that batch. Raises
    :class:`Unavailable` when the index stays busy (the batch is not recorded). Returns the
    number of Dokumente indexed by this run.
    """
    backend = get_backend()
    stand, _created = Reindexstand.objects.get_or_create(
        mandant_id=mandant.pk, backend=backend_name()
    )
    if restart or stand.finished_at is not None or stand.last_dokument_id == 0:
        with index_run(mandant.pk, wait=True) as lauf:
            if lauf is None:
                raise index_busy()
            backend.clear(mandant)
            _drain(mandant, backend, lauf, wait=True)
        stand.last_dokument_id = 0
        stand.finished_at = None
        stand.save()
    indexed = 0
    dokumente = Dokument.objects.filter(mandant=mandant).order_by("pk")
    while True:
        ids = list(
            dokumente.filter(pk__gt=stand.last_dokument_id).values_list("pk", flat=True)[
                :batch_size
            ]
        )
        if not ids:
            break
        with index_run(mandant.pk, wait=True) as lauf:
            if lauf is None or not backend.replace(mandant, entries_for(ids), wait=True):
                raise index_busy()
            # what changed meanwhile: its runs found the lease taken and left their rows here
            _drain(mandant, backend, lauf, wait=True)
        stand.last_dokument_id = ids[-1]
        stand.save(update_fields=["last_dokument_id"])
        indexed += len(ids)
        if progress is not None:
            progress(len(ids))
    stand.finished_at = timezone.now()
    stand.save(update_fields=["finished_at"])
    process_pending(mandant, wait=True)
    return indexed


def remaining(mandant: Mandant) -> int:
    """Dokumente a resumed reindex still has to do (for the progress bar)."""
    stand = Reindexstand.objects.filter(mandant_id=mandant.pk, backend=backend_name()).first()
    start = 0 if stand is None or stand.finished_at is not None else stand.last_dokument_id
    return Dokument.objects.filter(mandant=mandant, pk__gt=start).count()
