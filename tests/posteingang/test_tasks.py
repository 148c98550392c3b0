"""The hand-in's processing tasks: a few Eingänge per task, and one that fails stops no other."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from amtsfluss.core.models import Blob
from amtsfluss.posteingang import pipeline, tasks
from amtsfluss.posteingang.models import Eingang, EingangStatus, Schritt
from amtsfluss.posteingang.steps import produce
from tests.posteingang.conftest import Post
from tests.posteingang.files import scan_png, text_pdf

pytestmark = pytest.mark.django_db(transaction=True)


def _letters(count: int) -> list[tuple[str, bytes]]:
    return [
        (f"brief-{n}.pdf", text_pdf(f"Schreiben Nummer {n}", "Musterstadt")) for n in range(count)
    ]


def test_a_hand_in_is_queued_a_few_eingaenge_per_task(post: Post) -> None:
    sendung = post.receive(*_letters(7), ("leer.exe", b"MZ\x90\x00"))
    queued = DBTaskResult.objects.filter(task_path__endswith="process_eingaenge")
    # the results' keys are UUIDs and both were enqueued in the same instant: order by content
    batches = sorted((result.args_kwargs["args"][0] for result in queued), key=lambda b: b[0])
    accepted = list(
        sendung.eingaenge.exclude(status=EingangStatus.ABGEWIESEN)
        .order_by("position")
        .values_list("pk", flat=True)
    )
    assert [len(batch) for batch in batches] == [tasks.BATCH, 7 - tasks.BATCH]
    assert [pk for batch in batches for pk in batch] == accepted  # the refused one is not queued


def test_one_eingang_that_fails_does_not_stop_the_others(
    post: Post, monkeypatch: pytest.MonkeyPatch
) -> None:
    sendung = post.receive(*_letters(3))
    first, second, third = sendung.eingaenge.order_by("position").values_list("pk", flat=True)
    process = pipeline.process

    def database_gone_for_the_second(eingang_id: int, **held: Any) -> str:
        if eingang_id == second:
            raise ConnectionError("the database went away")
        return process(eingang_id, **held)

    monkeypatch.setattr(pipeline, "process", database_gone_for_the_second)
    with pytest.raises(RuntimeError, match=str(second)):
        tasks.process_eingaenge.call([first, second, third])
    states = dict(sendung.eingaenge.values_list("pk", "status"))
    assert states[first] == states[third] == EingangStatus.BEREIT
    assert states[second] == EingangStatus.GEPRUEFT  # untouched: resumed later …
    monkeypatch.setattr(pipeline, "process", process)
    assert pipeline.release_stale() == []  # … once the task's lease on it ran out
    Eingang.objects.filter(pk=second).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert pipeline.release_stale() == [second]
    assert tasks.process_eingaenge.call([second]) == {str(second): EingangStatus.BEREIT}


class _Killed(BaseException):
    """Stands for kill -9: nothing after it runs, not even the task's own error handling."""


def test_a_task_claims_all_its_eingaenge_first_so_a_killed_worker_leaves_leases_that_run_out(
    post: Post, monkeypatch: pytest.MonkeyPatch
) -> None:
    sendung = post.receive(*_letters(3))
    ids = list(sendung.eingaenge.order_by("position").values_list("pk", flat=True))
    leases_at_the_first_run: list[object] = []

    def killed_in_the_first(eingang_id: int, **held: Any) -> str:
        leases_at_the_first_run.extend(
            Eingang.objects.filter(pk__in=ids).values_list("lease_until", flat=True)
        )
        raise _Killed

    monkeypatch.setattr(pipeline, "process", killed_in_the_first)
    with pytest.raises(_Killed):
        tasks.process_eingaenge.call(ids)
    assert len(leases_at_the_first_run) == 3 and None not in leases_at_the_first_run
    assert not any(pipeline.claim(pk) for pk in ids)  # the dead run's leases hold …
    assert pipeline.release_stale() == []
    Eingang.objects.filter(pk__in=ids).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert pipeline.release_stale() == ids  # … and run out after LEASE, not FORGOTTEN_AFTER


def test_an_eingang_another_run_holds_is_left_to_it(post: Post) -> None:
    first, second = post.receive(*_letters(2)).eingaenge.order_by("position")
    theirs = timezone.now() + pipeline.LEASE
    Eingang.objects.filter(pk=second.pk).update(lease_until=theirs)
    assert tasks.process_eingaenge.call([first.pk, second.pk]) == {
        str(first.pk): EingangStatus.BEREIT,
        str(second.pk): EingangStatus.GEPRUEFT,  # not run: the other run's lease holds
    }
    second.refresh_from_db()
    assert second.lease_until == theirs and second.dokument_id is None
    assert pipeline.claim_all([first.pk, second.pk])[0] == frozenset()  # done / held


def test_a_run_goes_on_under_its_tasks_lease_even_shortly_before_it_runs_out(
    post: Post,
) -> None:
    eingang = post.receive(*_letters(1)).eingaenge.get()
    # the task's lease, taken long ago by claim_all: 30 seconds are left of it
    ours = timezone.now() + timedelta(seconds=30)
    Eingang.objects.filter(pk=eingang.pk).update(lease_until=ours)
    assert pipeline.process(eingang.pk, held_until=ours) == EingangStatus.BEREIT


def test_a_run_whose_lease_another_run_took_meanwhile_leaves_the_eingang_to_it(
    post: Post,
) -> None:
    eingang = post.receive(*_letters(1)).eingaenge.get()
    held, ours = pipeline.claim_all([eingang.pk])
    assert held == {eingang.pk}
    # the task's lease ran out during a long run before this one, and another run took it
    theirs = timezone.now() + pipeline.LEASE
    Eingang.objects.filter(pk=eingang.pk).update(lease_until=theirs)
    assert pipeline.process(eingang.pk, held_until=ours) == EingangStatus.GEPRUEFT
    eingang.refresh_from_db()
    assert eingang.lease_until == theirs and eingang.dokument_id is None


def test_a_run_takes_its_eingang_back_when_the_resume_job_released_it_but_nobody_took_it(
    post: Post,
) -> None:
    eingang = post.receive(*_letters(1)).eingaenge.get()
    _held, ours = pipeline.claim_all([eingang.pk])
    Eingang.objects.filter(pk=eingang.pk).update(lease_until=None)  # released, not taken
    assert pipeline.process(eingang.pk, held_until=ours) == EingangStatus.BEREIT
    assert pipeline.process(eingang.pk, held_until=ours) == EingangStatus.BEREIT  # done: no-op


def _taken_over_during(monkeypatch: pytest.MonkeyPatch, name: str, **then: Any) -> datetime:
    """While the step's tool runs (``produce.<name>``), this run's lease runs out and another
    run takes the Eingang (and sets ``then``); returns that run's lease."""
    tool = getattr(produce, name)
    theirs = timezone.now() + pipeline.LEASE * 2

    def stalled(eingang: Eingang, *args: Any, **kwargs: Any) -> Any:
        Eingang.objects.filter(pk=eingang.pk).update(lease_until=theirs, **then)
        return tool(eingang, *args, **kwargs)

    monkeypatch.setattr(produce, name, stalled)
    return theirs


def test_a_run_that_lost_its_lease_begins_no_further_step(
    post: Post, monkeypatch: pytest.MonkeyPatch
) -> None:
    eingang = post.receive(("scan.png", scan_png("Eingangsstempel"))).eingaenge.get()
    theirs = _taken_over_during(monkeypatch, "convert")
    assert pipeline.process(eingang.pk) == EingangStatus.IN_BEARBEITUNG
    eingang.refresh_from_db()
    # the conversion's result was kept (a blob is a blob), but OCR was not begun by this run
    assert eingang.schritt == Schritt.KONVERTIERUNG and eingang.lease_until == theirs
    assert eingang.archiv_id is None and not eingang.text_done


def test_a_stalled_runs_failure_does_not_undo_what_another_run_finished(
    post: Post, monkeypatch: pytest.MonkeyPatch
) -> None:
    eingang = post.receive(("scan.png", scan_png("Eingangsstempel"))).eingaenge.get()
    _taken_over_during(monkeypatch, "convert", status=EingangStatus.BEREIT)

    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise produce.StepFailed("LibreOffice could not read the file")

    convert = produce.convert
    monkeypatch.setattr(produce, "convert", lambda e: (convert(e), broken())[1])
    assert pipeline.process(eingang.pk) == EingangStatus.BEREIT  # the other run's result
    eingang.refresh_from_db()
    assert eingang.status == EingangStatus.BEREIT and eingang.grund == ""


def test_a_stalled_runs_step_result_is_not_written_over_what_another_run_filed(
    post: Post, monkeypatch: pytest.MonkeyPatch
) -> None:
    eingang = post.receive(*_letters(1)).eingaenge.get()
    theirs = _taken_over_during(monkeypatch, "extract_text", status=EingangStatus.BEREIT)
    blobs = Blob.objects.count()
    assert pipeline.process(eingang.pk) == EingangStatus.BEREIT
    eingang.refresh_from_db()
    assert (eingang.status, eingang.lease_until) == (EingangStatus.BEREIT, theirs)
    assert not eingang.text_done and eingang.text == "" and eingang.vorschau_id is None
    assert Blob.objects.count() == blobs  # the step's preview was rolled back with it
