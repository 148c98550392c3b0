"""A worker queues one index task for many filed Dokumente: while one waits (not yet started)
it takes the journal rows of later commits too; once it runs, the next commit queues another."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from amtsfluss.core import context
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
            assert len(callbacks) >= 3  # Dokument, version and text each asked for a rebuild
        assert queued.count() == 1  # nine requests, one task: it reads the journal when it runs
        queued.update(status="RUNNING")  # it started: it may have read the journal already
        with django_capture_on_commit_callbacks(execute=True):
            add_dokument(a.offen_32_1, "Regenrohr", "Regenrohr", vorgang=corpus.phrase.vorgang)
    assert queued.filter(status="READY").count() == 1  # so the next commit queues another
    process_pending_index.call()
    assert not Indexauftrag.objects.exists()
