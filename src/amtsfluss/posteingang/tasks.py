"""Background work of the Posteingang: processing an Eingang, resuming interrupted ones."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.tasks import task

from amtsfluss.core import periodic
from amtsfluss.core.models import Mandant
from amtsfluss.core.tasks import enqueue_on_commit
from amtsfluss.posteingang import pipeline

#: Eingänge of one hand-in that one task processes, one after the other: the task's own cost
#: (claim, start, result; ~5 ms) is paid once for them, and a hand-in of many files still
#: keeps every worker busy
BATCH = 5

logger = logging.getLogger(__name__)


@task
def process_eingang(eingang_id: int) -> str:
    """Run the remaining steps of one Eingang; return its state afterwards."""
    return pipeline.process(eingang_id)


@task
def process_eingaenge(eingang_ids: list[int]) -> dict[str, str]:
    """Run the remaining steps of several Eingänge; their states afterwards, by id.

    One that fails outside its steps (the database went away) does not stop the others; the
    task fails at the end, and that Eingang is taken up again by :func:`resume_eingaenge`."""
    states: dict[str, str] = {}
    failed = []
    # all claimed first: a worker killed at any point leaves leases that run out, not Eingänge
    # that look untouched (those would wait for ``FORGOTTEN_AFTER``)
    held, held_until = pipeline.claim_all(eingang_ids)
    with pipeline.texts_ahead([pk for pk in eingang_ids if pk in held]):
        for eingang_id in eingang_ids:
            lease = held_until if eingang_id in held else None
            try:
                states[str(eingang_id)] = pipeline.process(eingang_id, held_until=lease)
            except Exception:
                logger.exception("posteingang: Eingang %s could not be processed", eingang_id)
                failed.append(eingang_id)
    if failed:
        raise RuntimeError(f"Eingänge {failed} could not be processed; they will be resumed")
    return states


def enqueue_processing(eingang_ids: list[int]) -> None:
    """Process the Eingänge once the current transaction commits, :data:`BATCH` per task."""
    for start in range(0, len(eingang_ids), BATCH):
        enqueue_on_commit(process_eingaenge, eingang_ids[start : start + BATCH])


@task
def resume_eingaenge() -> int:
    """Enqueue the Eingänge whose run was interrupted (lease expired, e.g. a killed worker)."""
    stale = pipeline.release_stale()
    for eingang_id in stale:
        process_eingang.enqueue(eingang_id)
    return len(stale)


@task
def train_klassifikator(mandant_id: int) -> int | None:
    """Train a new model of the Mandant's filed documents; its version, or None (too few)."""
    from amtsfluss.posteingang.services.klassifikation import klassifikator_train

    mandant = Mandant.objects.filter(pk=mandant_id).first()
    if mandant is None:
        return None
    trained = klassifikator_train(mandant=mandant)
    return trained.version if trained is not None else None


@task
def train_klassifikatoren() -> int:
    """Queue a training for every Mandant whose documents were decided since its last model."""
    from amtsfluss.posteingang.services.klassifikation import mandanten_to_train

    due = mandanten_to_train()
    for mandant_id in due:
        train_klassifikator.enqueue(mandant_id)
    return len(due)


periodic.register("posteingang.resume", resume_eingaenge, every=timedelta(minutes=1))
periodic.register("posteingang.training", train_klassifikatoren, every=timedelta(hours=24))
