"""The hand-in's processing tasks: a few Eingänge per task, and one that fails stops no other."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from amtsfluss.posteingang import pipeline, tasks
from amtsfluss.posteingang.models import EingangStatus
from tests.posteingang.conftest import Post
from tests.posteingang.files import text_pdf

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

    def database_gone_for_the_second(eingang_id: int) -> str:
        if eingang_id == second:
            raise ConnectionError("the database went away")
        return process(eingang_id)

    monkeypatch.setattr(pipeline, "process", database_gone_for_the_second)
    with pytest.raises(RuntimeError, match=str(second)):
        tasks.process_eingaenge.call([first, second, third])
    states = dict(sendung.eingaenge.values_list("pk", "status"))
    assert states[first] == states[third] == EingangStatus.BEREIT
    assert states[second] == EingangStatus.GEPRUEFT  # untouched: resumed later
    monkeypatch.setattr(pipeline, "process", process)
    assert tasks.process_eingaenge.call([second]) == {str(second): EingangStatus.BEREIT}
