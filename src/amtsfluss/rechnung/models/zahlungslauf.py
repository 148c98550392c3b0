"""A Zahlungslauf: one export of ordered invoices as pain.001 and CSV."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.core.models import Blob, MandantScoped


class Zahlungslauf(MandantScoped):
    nummer = models.CharField(_("Nummer"), max_length=30)
    ausfuehrungsdatum = models.DateField(_("Ausführungsdatum"))
    pain001 = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    csv = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    anzahl = models.PositiveIntegerField(_("Anzahl"))
    summe = models.DecimalField(_("Summe"), max_digits=16, decimal_places=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Zahlungslauf")
        verbose_name_plural = _("Zahlungsläufe")
        constraints = [
            models.UniqueConstraint(fields=["mandant", "nummer"], name="rechnung_zahlungslauf_nr")
        ]

    def __str__(self) -> str:
        return self.nummer
