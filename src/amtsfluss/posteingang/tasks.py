"""Background work of the Posteingang: processing an Eingang, resuming interrupted ones."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from amtsfluss.core import periodic
from amtsfluss.posteingang import pipeline


@task
def process_eingang(eingang_id: int) -> str:
    """Run the remaining steps of one Eingang; return its state afterwards."""
    return pipeline.process(eingang_id)


@task
def resume_eingaenge() -> int:
    """Enqueue the Eingänge whose run was interrupted (lease expired, e.g. a killed worker)."""
    stale = pipeline.release_stale()
    for eingang_id in stale:
        process_eingang.enqueue(eingang_id)
    return len(stale)


periodic.register("posteingang.resume", resume_eingaenge, every=timedelta(minutes=1))
