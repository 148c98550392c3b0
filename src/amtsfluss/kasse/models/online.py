from __future__ import annotations

from django.db import models

from amtsfluss.core.models import MandantScoped
from amtsfluss.kasse.models.forderung import Forderung


class OnlineZahlung(MandantScoped):
    """A payment started at the online payment provider for a Forderung."""

    forderung = models.ForeignKey(
        Forderung, on_delete=models.PROTECT, related_name="online_zahlungen"
    )
    transaktion = models.CharField(max_length=100)
    status = models.CharField(max_length=20, default="gestartet")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mandant", "transaktion"], name="kasse_online_transaktion_unique"
            )
        ]

    def __str__(self) -> str:
        return self.transaktion


class Benachrichtigung(models.Model):
    """The id of a provider notification already processed: a replay is refused."""

    nachricht_id = models.CharField(max_length=100, unique=True)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.nachricht_id
