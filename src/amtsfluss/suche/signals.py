"""Changes that alter what an Akte's index entries say (text, metadata, reader keys).

Each receiver marks the Akte stale inside the writing transaction (``indexing.akte_changed``),
or only the Dokument when nothing else changed (``indexing.dokument_changed``: a filed Dokument,
a new version, its text); the entries are rebuilt on commit. Bulk writes (``bulk_create``,
``update()``) send no signals: run ``amtsfluss reindex`` after them.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from amtsfluss.akte.models import Akte, Beteiligung, Dokument, Dokumentversion, Vorgang
from amtsfluss.suche.indexing import akte_changed, dokument_changed
from amtsfluss.suche.models import Dokumenttext


@receiver([post_save, post_delete], sender=Akte)
def _akte(sender: type[Akte], instance: Akte, **kwargs: Any) -> None:
    akte_changed(mandant_id=instance.mandant_id, akte_id=instance.pk)


@receiver([post_save, post_delete], sender=Vorgang)
@receiver([post_save, post_delete], sender=Beteiligung)
def _of_akte(sender: type[Any], instance: Vorgang | Beteiligung, **kwargs: Any) -> None:
    akte_changed(mandant_id=instance.mandant_id, akte_id=instance.akte_id)


@receiver(pre_save, sender=Vorgang)
def _vorgang_leaves(sender: type[Vorgang], instance: Vorgang, **kwargs: Any) -> None:
    """A Vorgang moved to another Akte: its Bearbeiter:in and unit no longer open the old one."""
    if instance.pk is None:
        return
    old = Vorgang.objects.filter(pk=instance.pk).values_list("akte_id", flat=True).first()
    if old is not None and old != instance.akte_id:
        akte_changed(mandant_id=instance.mandant_id, akte_id=old)


@receiver(pre_save, sender=Dokument)
def _dokument_leaves(sender: type[Dokument], instance: Dokument, **kwargs: Any) -> None:
    """A Dokument moved to another Akte: both Akten are rebuilt (and hidden until then), so its
    old entry is never found by the readers of the old Akte."""
    if instance.pk is None:
        return
    old = Dokument.objects.filter(pk=instance.pk).values_list("vorgang__akte_id", flat=True)
    new = Vorgang.objects.filter(pk=instance.vorgang_id).values_list("akte_id", flat=True)
    before, after = old.first(), new.first()
    if before is not None and before != after:
        akte_changed(mandant_id=instance.mandant_id, akte_id=before)
        if after is not None:
            akte_changed(mandant_id=instance.mandant_id, akte_id=after)


@receiver([post_save, post_delete], sender=Dokument)
def _dokument(sender: type[Dokument], instance: Dokument, **kwargs: Any) -> None:
    akte_id = Vorgang.objects.filter(pk=instance.vorgang_id).values_list("akte_id", flat=True)
    for found in akte_id:
        dokument_changed(mandant_id=instance.mandant_id, akte_id=found, dokument_id=instance.pk)


@receiver([post_save, post_delete], sender=Dokumentversion)
def _version(sender: type[Dokumentversion], instance: Dokumentversion, **kwargs: Any) -> None:
    _by_dokument(instance.mandant_id, instance.dokument_id)


@receiver([post_save, post_delete], sender=Dokumenttext)
def _text(sender: type[Dokumenttext], instance: Dokumenttext, **kwargs: Any) -> None:
    dokument = Dokumentversion.objects.filter(pk=instance.dokumentversion_id).values_list(
        "dokument_id", flat=True
    )
    for dokument_id in dokument:
        _by_dokument(instance.mandant_id, dokument_id)


def _by_dokument(mandant_id: int, dokument_id: int) -> None:
    akte = Dokument.objects.filter(pk=dokument_id).values_list("vorgang__akte_id", flat=True)
    for akte_id in akte:
        dokument_changed(mandant_id=mandant_id, akte_id=akte_id, dokument_id=dokument_id)
