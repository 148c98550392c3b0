"""One index run per Mandant at a time: a run never writes older entries over a newer run's.

The race these tests replay: run A reads an Akte while it is ``offen``; a change makes it
``streng vertraulich`` and commits; that commit's run B would rebuild the Akte and empty the
journal; then A writes its older entries — and nothing hid the Akte any more.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from amtsfluss.akte.models import Vertraulichkeit
from amtsfluss.core.errors import Unavailable
from amtsfluss.suche import indexing, indexlauf
from amtsfluss.suche.indexing import akte_changed, process_pending, reindex
from amtsfluss.suche.models import Indexauftrag, Indexlauf, Reindexstand
from tests.suche.conftest import Corpus
from tests.suche.test_keeping_current import found

pytestmark = pytest.mark.django_db
Capture = Callable[..., Any]


def _held(a: Any, until: Any) -> None:
    """Another run's lease on Mandant A's index (the corpus' reindex made the row)."""
    Indexlauf.objects.update_or_create(mandant_id=a.w.a.pk, defaults={"held_until": until})


def _make_streng_meanwhile(
    corpus: Corpus, capture: Capture, monkeypatch: pytest.MonkeyPatch, name: str
) -> list[int]:
    """While the run reads the Akte's entries (``indexing.<name>``), another request makes it
    streng vertraulich and its commit hook runs; returns what that hook's run rebuilt."""
    read = getattr(indexing, name)
    hook_runs: list[int] = []

    def read_then_change(ids: Any) -> Any:
        entries = read(ids)
        if not hook_runs:
            with capture(execute=False) as hooks:
                corpus.akten.offen_32_1.vertraulichkeit = Vertraulichkeit.STRENG_VERTRAULICH
                corpus.akten.offen_32_1.save(update_fields=["vertraulichkeit"])
            hook_runs.append(process_pending(corpus.akten.w.a))  # the commit's own run
            assert len(hooks) >= 1
        return entries

    monkeypatch.setattr(indexing, name, read_then_change)
    return hook_runs


def test_a_change_during_a_run_is_rebuilt_after_it_not_overwritten_by_it(
    corpus: Corpus, django_capture_on_commit_callbacks: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = corpus.akten
    assert corpus.bauantrag.pk in found(a.w.head, "Bauantrag")
    hook_runs = _make_streng_meanwhile(
        corpus, django_capture_on_commit_callbacks, monkeypatch, "entries_for_akten"
    )
    akte_changed(mandant_id=a.w.a.pk, akte_id=a.offen_32_1.pk)
    assert process_pending(a.w.a) == 2  # its own row, then the change's (after its batch)
    assert hook_runs == [0]  # the commit's run found the lease taken and left its row to it
    assert not Indexauftrag.objects.exists()
    assert found(a.w.head, "Bauantrag") == set()  # no role reaches streng vertraulich
    assert Indexlauf.objects.get(mandant_id=a.w.a.pk).held_until is None  # let go


def test_a_change_during_a_reindex_batch_is_rebuilt_before_the_batch_lets_go(
    corpus: Corpus, django_capture_on_commit_callbacks: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = corpus.akten
    hook_runs = _make_streng_meanwhile(
        corpus, django_capture_on_commit_callbacks, monkeypatch, "entries_for"
    )
    at_release: list[tuple[int, set[int]]] = []
    release = indexlauf.Lauf.release

    def releasing(self: Any) -> None:
        at_release.append((Indexauftrag.objects.count(), found(a.w.head, "Bauantrag")))
        release(self)

    monkeypatch.setattr(indexlauf.Lauf, "release", releasing)
    reindex(a.w.a, restart=True, batch_size=50)
    assert hook_runs == [0]  # the commit's run found the lease taken and left its rows
    # the batch wrote the older entries, then took the rows the change left and rebuilt the
    # Akte before letting go: not hidden until the end of a long reindex, and not leaked
    _cleared, batch = at_release[0], at_release[1]
    assert batch == (0, set())
    assert found(a.w.head, "Bauantrag") == set() and not Indexauftrag.objects.exists()


def test_a_row_left_while_the_holder_lets_go_is_taken_by_the_holder_after(
    corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = corpus.akten
    release = indexlauf.Lauf.release
    left: list[int] = []

    def another_run_just_before(self: Any) -> None:
        if not left:  # a change commits after the holder's last read, before it lets go
            akte_changed(mandant_id=a.w.a.pk, akte_id=a.offen_32_1.pk)
            left.append(process_pending(a.w.a))
        release(self)

    monkeypatch.setattr(indexlauf.Lauf, "release", another_run_just_before)
    akte_changed(mandant_id=a.w.a.pk, akte_id=a.vertr_32_1.pk)
    assert process_pending(a.w.a) == 2  # its own row, then the one left to it
    assert left == [0] and not Indexauftrag.objects.exists()
    assert corpus.bauantrag.pk in found(a.w.head, "Bauantrag")  # rebuilt, not hidden


def test_a_run_leaves_the_journal_to_the_run_holding_the_lease_and_the_akte_stays_hidden(
    corpus: Corpus,
) -> None:
    a = corpus.akten
    theirs = timezone.now() + indexlauf.RUN_LEASE
    _held(a, theirs)
    akte_changed(mandant_id=a.w.a.pk, akte_id=a.offen_32_1.pk)
    assert process_pending(a.w.a) == 0
    assert Indexauftrag.objects.count() == 1
    assert found(a.w.head, "Bauantrag") == set()  # hidden, not shown stale
    assert Indexlauf.objects.get(mandant_id=a.w.a.pk).held_until == theirs  # not ours to free


def test_the_lease_of_a_run_that_died_runs_out_and_is_taken_over(corpus: Corpus) -> None:
    a = corpus.akten
    dead = timezone.now() - timedelta(seconds=1)
    _held(a, dead)
    akte_changed(mandant_id=a.w.a.pk, akte_id=a.offen_32_1.pk)
    assert process_pending(a.w.a) == 1
    assert corpus.bauantrag.pk in found(a.w.head, "Bauantrag")


def test_a_run_whose_lease_ran_out_meanwhile_writes_nothing(
    corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = corpus.akten
    read = indexing.entries_for_akten

    def taken_over_meanwhile(ids: Any) -> Any:
        later = timezone.now() + indexlauf.RUN_LEASE * 2
        Indexlauf.objects.filter(mandant_id=a.w.a.pk).update(held_until=later)
        return read(ids)

    monkeypatch.setattr(indexing, "entries_for_akten", taken_over_meanwhile)
    akte_changed(mandant_id=a.w.a.pk, akte_id=a.offen_32_1.pk)
    written: list[object] = []

    def replace(*args: Any, **kwargs: Any) -> bool:
        written.append(args)
        return True

    monkeypatch.setattr(type(indexing.get_backend()), "replace", replace)
    assert process_pending(a.w.a) == 0
    assert written == [] and Indexauftrag.objects.count() == 1  # left for the new holder


def test_reindex_stops_without_recording_a_batch_the_busy_index_did_not_take(
    corpus: Corpus, monkeypatch: pytest.MonkeyPatch, english: None
) -> None:
    a = corpus.akten
    reindex(a.w.a, restart=True)
    Reindexstand.objects.filter(mandant_id=a.w.a.pk).update(finished_at=None, last_dokument_id=0)
    monkeypatch.setattr(type(indexing.get_backend()), "replace", lambda *args, **kw: False)
    monkeypatch.setattr(type(indexing.get_backend()), "clear", lambda *args, **kw: None)
    with pytest.raises(Unavailable, match="busy"):
        reindex(a.w.a)
    assert Reindexstand.objects.get(mandant_id=a.w.a.pk).last_dokument_id == 0


def test_reindex_stops_when_another_run_keeps_the_lease(
    corpus: Corpus, monkeypatch: pytest.MonkeyPatch, english: None
) -> None:
    a = corpus.akten
    monkeypatch.setattr(indexlauf, "WAIT_SECONDS", 0.1)
    _held(a, timezone.now() + timedelta(hours=1))
    with pytest.raises(Unavailable, match="busy"):
        reindex(a.w.a, restart=True)
