"""A worker queues one index task for many filed Dokumente: while one waits (not yet started)
it takes the journal rows of later commits too; once it runs, the next commit queues another."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Any
from unittest.mock import patch

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from amtsfluss.core import context
from amtsfluss.suche.indexing import _Run, akte_changed
from amtsfluss.suche.models import Indexauftrag
from amtsfluss.suche.tasks import process_pending_index
from tests.suche.conftest import Corpus, add_dokument

pytestmark = pytest.mark.django_db
Capture = Callable[..., Any]


def test_a_worker_queues_one_index_task_while_one_waits(
    corpus: Corpus, django_capture_on_commit_callbacks: Capture
) -> None:
    a = corpus.akten
    queued = DBTaskResult.objects.filter(task_path=process_pending_index.module_path)
    queued.delete()
    with context.use(context.RequestContext(channel="worker")):
        for word in ("Kaminkehrer", "Schornstein", "Dachrinne"):
            with django_capture_on_commit_callbacks(execute=True) as callbacks:
                add_dokument(a.offen_32_1, word, word, vorgang=corpus.phrase.vorgang)
            # Dokument, version and text each journaled the Dokument: one run after the commit
            assert len(_processing(callbacks)) >= 3
            assert len({id(hook) for hook in _processing(callbacks)}) == 1
        assert queued.count() == 1  # nine requests, one task: it reads the journal when it runs
        queued.update(status="RUNNING")  # it started: it may have read the journal already
        with django_capture_on_commit_callbacks(execute=True):
            add_dokument(a.offen_32_1, "Regenrohr", "Regenrohr", vorgang=corpus.phrase.vorgang)
    assert queued.filter(status="READY").count() == 1  # so the next commit queues another
    process_pending_index.call()
    assert not Indexauftrag.objects.exists()


def _processing(callbacks: list[Any]) -> list[_Run]:
    return [callback for callback in callbacks if isinstance(callback, _Run)]


def test_the_hooks_of_one_commit_process_the_journal_once(
    corpus: Corpus, django_capture_on_commit_callbacks: Capture
) -> None:
    a = corpus.akten.offen_32_1
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for _ in range(3):
            akte_changed(mandant_id=a.mandant_id, akte_id=a.pk)
    hooks = _processing(callbacks)
    with patch("amtsfluss.suche.indexing._process_after_commit") as process:
        for hook in hooks:
            hook()
    process.assert_called_once_with(a.mandant_id)


def test_a_savepoint_rolled_back_takes_its_hook_and_a_later_change_has_its_own_run(
    corpus: Corpus, django_capture_on_commit_callbacks: Capture
) -> None:
    """The journal row of a rolled-back savepoint is gone and so is the hook it registered; a
    change after it gets a run all the same."""
    a = corpus.akten
    mandant_id = a.offen_32_1.mandant_id
    Indexauftrag.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with suppress(RuntimeError), transaction.atomic():
            akte_changed(mandant_id=mandant_id, akte_id=a.offen_32_1.pk)
            raise RuntimeError
        akte_changed(mandant_id=mandant_id, akte_id=a.offen_32_2.pk)
        with transaction.atomic():  # a change in a savepoint inside it shares that run
            akte_changed(mandant_id=mandant_id, akte_id=a.offen_32_1.pk)
    hooks = _processing(callbacks)
    assert len(hooks) == 2 and hooks[0] is hooks[1]
    assert sorted(Indexauftrag.objects.values_list("akte_id", flat=True)) == sorted(
        [a.offen_32_2.pk, a.offen_32_1.pk]
    )
    for hook in hooks:
        hook()
    assert not Indexauftrag.objects.exists()


def test_every_mandant_gets_its_own_run(
    corpus: Corpus, django_capture_on_commit_callbacks: Capture
) -> None:
    a, b = corpus.akten.offen_32_1, corpus.mandant_b
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        akte_changed(mandant_id=a.mandant_id, akte_id=a.pk)
        akte_changed(mandant_id=b.mandant_id, akte_id=b.vorgang.akte_id)
        akte_changed(mandant_id=a.mandant_id, akte_id=corpus.akten.offen_32_2.pk)
    runs = {id(hook): hook.mandant_id for hook in _processing(callbacks)}
    assert sorted(runs.values()) == sorted([a.mandant_id, b.mandant_id])
