"""Background work of the search: the journal's leftovers (a crash, a busy index)."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from amtsfluss.core import periodic
from amtsfluss.core.models import Mandant
from amtsfluss.suche.indexing import process_pending
from amtsfluss.suche.models import Indexauftrag


@task
def process_pending_index() -> int:
    """Rebuild the entries of every Akte still in the journal; returns the Akten done."""
    mandant_ids = set(Indexauftrag.objects.values_list("mandant_id", flat=True).distinct())
    done = 0
    for mandant in Mandant.objects.filter(pk__in=mandant_ids):
        done += process_pending(mandant)
    return done


periodic.register("suche.process_pending", process_pending_index, every=timedelta(minutes=1))
