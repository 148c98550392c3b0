from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.core.models.mandant import Mandant


class Outcome(models.TextChoices):
    SUCCESS = "success", _("erfolgreich")
    DENIED = "denied", _("verweigert")
    FAILURE = "failure", _("fehlgeschlagen")


class AuditEvent(models.Model):
    """One append-only audit event, hash-chained per Mandant (``chain``).

    ``hash`` = SHA-256 over the canonical JSON of every other field including ``prev_hash``;
    see ``amtsfluss.core.audit``. Rows are never updated or deleted (database triggers refuse
    it; the chain exposes it if someone goes around them).
    """

    chain = models.CharField(max_length=40, db_index=False)
    seq = models.PositiveBigIntegerField()
    mandant = models.ForeignKey(Mandant, on_delete=models.PROTECT, null=True, related_name="+")
    occurred_at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True)
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=80, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    client_address = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("Protokolleintrag")
        verbose_name_plural = _("Protokolleinträge")
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="core_audit_chain_seq"),
        ]
        indexes = [
            models.Index(fields=["mandant", "occurred_at"]),
            models.Index(fields=["mandant", "object_type", "object_id"]),
            models.Index(fields=["mandant", "actor_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.action} ({self.outcome})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Audit events are append-only.")


class AuditChainHead(models.Model):
    """The last link of one chain; locked while appending, compared when verifying."""

    chain = models.CharField(max_length=40, primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.chain} @ #{self.seq}"
