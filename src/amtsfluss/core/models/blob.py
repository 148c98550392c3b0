from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.core.models.mandant import MandantScoped


class Blob(MandantScoped):
    """A write-once stored content, addressed by its SHA-256; bytes live in the blob store."""

    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Inhalt")
        verbose_name_plural = _("Inhalte")
        constraints = [
            models.UniqueConstraint(fields=["mandant", "sha256"], name="core_blob_unique"),
        ]
        indexes = [models.Index(fields=["sha256"])]

    def __str__(self) -> str:
        return self.sha256
