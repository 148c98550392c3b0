"""Background jobs of the online services: expired drafts are removed; renditions of
submitted Anträge that were not filed at submission are filed."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from amtsfluss.core import periodic
from amtsfluss.dienste.services.antrag import antraege_renditions_complete
from amtsfluss.dienste.services.entwurf import entwuerfe_purge_expired


@task
def purge_expired_entwuerfe() -> int:
    return entwuerfe_purge_expired()


periodic.register(
    "dienste.purge_expired_entwuerfe", purge_expired_entwuerfe, every=timedelta(hours=1)
)


@task
def complete_renditions() -> int:
    return antraege_renditions_complete()


periodic.register("dienste.complete_renditions", complete_renditions, every=timedelta(minutes=5))
