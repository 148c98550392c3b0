"""Background work of the Posteingang: processing an Eingang, resuming interrupted ones."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from amtsfluss.core import periodic
from amtsfluss.core.models import Mandant
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
