"""The index follows changes (on commit), hides what is being rebuilt, and reindex resumes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from amtsfluss.akte.models import Vertraulichkeit
from amtsfluss.akte.services.akte import beteiligung_grant, beteiligung_revoke
from amtsfluss.akte.services.dokument import dokument_move
from amtsfluss.core import context
from amtsfluss.core.permissions import Principal
from amtsfluss.suche.backends import get_backend
from amtsfluss.suche.indexing import akte_changed, reindex
from amtsfluss.suche.models import Indexauftrag, Reindexstand
from amtsfluss.suche.selectors import search
from tests.suche.conftest import Corpus, add_dokument

pytestmark = pytest.mark.django_db
Capture = Callable[..., Any]


def found(user: Any, query: str) -> set[int]:
    result = search(principal=Principal.for_user(user), query=query)
    return {hit.dokument_id for hit in result.hits}


def test_a_grant_opens_the_akte_until_it_ends(
    corpus: Corpus, django_capture_on_commit_callbacks: Capture
) -> None:
    w = corpus.akten.w
    assert corpus.bauantrag.pk not in found(w.other_clerk, "Bauantrag")
    with django_capture_on_commit_callbacks(execute=True):
        grant = beteiligung_grant(
            principal=Principal.for_user(w.clerk),
            akte=corpus.akten.offen_32_1,
            unit=w.units["32.2"],
            gueltig_bis=timezone.now() + timedelta(hours=1),
        )
    assert not Indexauftrag.objects.exists()  # rebuilt on commit
    assert corpus.bauantrag.pk in found(w.other_clerk, "Bauantrag")
    later = Principal(user=w.other_clerk, mandant=w.a, at=timezone.now() + timedelta(hours=2))
    assert search(principal=later, query="Bauantrag").hits == []  # expired: no reindex needed
    with django_capture_on_commit_callbacks(execute=True):
        beteiligung_revoke(principal=Principal.for_user(w.clerk), beteiligung=grant)
    assert corpus.bauantrag.pk not in found(w.other_clerk, "Bauantrag")


def test_new_text_and_confidentiality_follow_on_commit(
    corpus: Corpus, django_capture_on_commit_callbacks: Capture
) -> None:
    a = corpus.akten
    with django_capture_on_commit_callbacks(execute=True):
        fresh = add_dokument(a.offen_32_1, "Nachtrag", "Ein Schornsteinfeger meldet sich")
    assert found(a.w.head, "Schornsteinfeger") == {fresh.pk}
    with django_capture_on_commit_callbacks(execute=True):
        a.offen_32_1.vertraulichkeit = Vertraulichkeit.STRENG_VERTRAULICH
        a.offen_32_1.save(update_fields=["vertraulichkeit"])
    assert found(a.w.head, "Schornsteinfeger") == set()  # no role reaches streng vertraulich


def test_an_akte_being_rebuilt_is_hidden_not_shown_stale(corpus: Corpus) -> None:
    a = corpus.akten
    assert corpus.bauantrag.pk in found(a.w.clerk, "Bauantrag")
    akte_changed(mandant_id=a.w.a.pk, akte_id=a.offen_32_1.pk)  # committed, not yet rebuilt
    assert found(a.w.clerk, "Bauantrag") == set()
    assert corpus.vertraulich.pk in found(a.w.clerk, "")  # other Akten stay visible


def test_reindex_resumes_after_an_interruption(corpus: Corpus) -> None:
    a = corpus.akten

    class Interrupted(Exception):
        pass

    batches: list[int] = []

    def stop_after_two(count: int) -> None:
        batches.append(count)
        if len(batches) == 2:
            raise Interrupted

    with pytest.raises(Interrupted):
        reindex(a.w.a, restart=True, batch_size=2, progress=stop_after_two)
    stand = Reindexstand.objects.get(mandant_id=a.w.a.pk)
    assert stand.finished_at is None and stand.last_dokument_id > 0
    assert len(found(a.w.head, "")) == 4  # only the first two batches are in the index
    resumed = reindex(a.w.a, batch_size=2)
    assert resumed == 6 - 4  # the rest, not everything again
    assert found(a.w.head, "") == {
        corpus.bauantrag.pk,
        corpus.strasse.pk,
        corpus.phrase.pk,
        corpus.vertraulich.pk,
        corpus.verkehr.pk,
    }


def _replace_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Record what each index rebuild was given (the backend's own replace still runs)."""
    backend_class = type(get_backend())
    original = backend_class.replace
    calls: list[dict[str, Any]] = []

    def recording(self: Any, mandant: Any, entries: Any, **kwargs: Any) -> bool:
        calls.append({"entries": sorted(e.dokument_id for e in entries), **kwargs})
        return bool(original(self, mandant, entries, **kwargs))

    monkeypatch.setattr(backend_class, "replace", recording)
    return calls


def test_filing_a_dokument_rebuilds_its_own_entry_not_its_akte(
    corpus: Corpus, django_capture_on_commit_callbacks: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = corpus.akten
    calls = _replace_calls(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        fresh = add_dokument(
            a.offen_32_1, "Nachtrag", "Ein Kaminkehrer meldet sich", vorgang=corpus.phrase.vorgang
        )
    assert calls == [{"entries": [fresh.pk], "akten": [], "dokumente": [fresh.pk], "wait": False}]
    assert not Indexauftrag.objects.exists()
    assert found(a.w.clerk, "Kaminkehrer") == {fresh.pk}
    assert corpus.bauantrag.pk in found(a.w.clerk, "Bauantrag")  # the Akte's others stay
    assert found(a.w.other_clerk, "Kaminkehrer") == set()


def test_a_moved_dokument_is_found_only_through_its_new_akte(
    corpus: Corpus, django_capture_on_commit_callbacks: Capture
) -> None:
    a = corpus.akten
    assert corpus.bauantrag.pk in found(a.w.clerk, "Bauantrag")
    assert corpus.bauantrag.pk not in found(a.w.other_clerk, "Bauantrag")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        dokument_move(
            principal=Principal.for_user(a.w.clerk),
            dokument=corpus.bauantrag,
            target=corpus.verkehr.vorgang,
        )
    # committed, not yet rebuilt: both Akten are hidden, the stale entry is found by nobody
    pending = set(Indexauftrag.objects.filter(dokument_id__isnull=True).values_list("akte_id"))
    assert pending == {(a.offen_32_1.pk,), (a.offen_32_2.pk,)}
    assert corpus.bauantrag.pk not in found(a.w.clerk, "Bauantrag")
    for callback in callbacks:
        callback()
    assert corpus.bauantrag.pk not in found(a.w.clerk, "Bauantrag")
    assert corpus.bauantrag.pk in found(a.w.other_clerk, "Bauantrag")
    assert corpus.phrase.pk in found(a.w.clerk, "")  # the old Akte's others are back


def test_a_worker_leaves_indexing_to_one_task_for_many_dokumente(
    corpus: Corpus, django_capture_on_commit_callbacks: Capture
) -> None:
    from django_tasks_db.models import DBTaskResult

    from amtsfluss.suche.tasks import process_pending_index

    a = corpus.akten
    with context.use(context.RequestContext(channel="worker")):
        for word in ("Kaminkehrer", "Schornstein", "Dachrinne"):
            with django_capture_on_commit_callbacks(execute=True):
                add_dokument(a.offen_32_1, word, word, vorgang=corpus.phrase.vorgang)
    assert Indexauftrag.objects.exists()  # not indexed in the filing worker's commit …
    queued = DBTaskResult.objects.filter(task_path=process_pending_index.module_path)
    assert queued.exists()  # … but by the index task it queued
    assert found(a.w.clerk, "Kaminkehrer") == set()  # the Akte is hidden until then
    process_pending_index.call()
    assert not Indexauftrag.objects.exists()
    for word in ("Kaminkehrer", "Schornstein", "Dachrinne"):
        assert len(found(a.w.clerk, word)) == 1
