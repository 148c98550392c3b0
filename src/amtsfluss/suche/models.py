from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.akte.models import Dokumentversion
from amtsfluss.core.models import MandantScoped


class TextSource(models.TextChoices):
    TEXTLAYER = "textlayer", _("text layer")
    OCR = "ocr", _("OCR")
    OFFICE = "office", _("Office document")
    MAIL = "mail", _("e-mail")


class Dokumenttext(MandantScoped):
    """The text of one Dokumentversion, as the processing pipeline extracted it."""

    dokumentversion = models.OneToOneField(
        Dokumentversion, on_delete=models.CASCADE, related_name="text"
    )
    text = models.TextField()
    source = models.CharField(max_length=12, choices=TextSource.choices)
    language = models.CharField(max_length=12, default="deu")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document text")
        verbose_name_plural = _("document texts")

    def __str__(self) -> str:
        return f"{self.dokumentversion_id} ({self.source})"


class Indexauftrag(models.Model):
    """A journal row: the index entries of one Akte are stale and must be rebuilt — all of
    them, or (``dokument_id`` set) only that Dokument's, when nothing but the Dokument changed.

    Written inside the transaction that made the change, so a crash after the commit loses no
    change; searches leave the Akte out while a row for it exists (fail closed).
    """

    mandant_id = models.BigIntegerField()
    akte_id = models.BigIntegerField()
    dokument_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["mandant_id", "akte_id"])]

    def __str__(self) -> str:
        return f"{self.mandant_id}/{self.akte_id}"


class Indexlauf(models.Model):
    """The run that is updating one Mandant's index now: it reads the journal (or a reindex
    batch), builds the entries and writes them while it holds this lease, so an older run never
    writes its entries over a newer one's. A run that dies lets go when the lease runs out."""

    mandant_id = models.BigIntegerField(unique=True)
    held_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.mandant_id}: {self.held_until}"


class Reindexstand(models.Model):
    """How far ``amtsfluss reindex`` got for one Mandant and backend (resume point)."""

    mandant_id = models.BigIntegerField()
    backend = models.CharField(max_length=20)
    last_dokument_id = models.BigIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mandant_id", "backend"], name="suche_stand_unique")
        ]

    def __str__(self) -> str:
        return f"{self.mandant_id}/{self.backend}: {self.last_dokument_id}"
