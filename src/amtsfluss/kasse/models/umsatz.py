from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.core.models import MandantScoped
from amtsfluss.kasse.models.forderung import Forderung


class Ergebnis(models.TextChoices):
    ZUGEORDNET = "zugeordnet", _("matched")
    OHNE_ZUORDNUNG = "ohne_zuordnung", _("unmatched")
    BETRAG_ABWEICHEND = "betrag_abweichend", _("amount does not cover")
    SCHON_BEZAHLT = "schon_bezahlt", _("already paid")


class Kontoumsatz(MandantScoped):
    """A credit entry read from a bank statement (CAMT.053), kept once per entry reference.

    The reference (AcctSvcrRef, else NtryRef, else a hash of the entry) makes the import
    idempotent: an entry seen before is skipped, whatever its outcome was.
    """

    referenz = models.CharField(max_length=140)
    betrag = models.DecimalField(max_digits=14, decimal_places=2)
    waehrung = models.CharField(max_length=3)
    buchungstag = models.DateField(null=True, blank=True)
    verwendungszweck = models.CharField(max_length=500, blank=True)
    auftraggeber = models.CharField(max_length=140, blank=True)
    ergebnis = models.CharField(max_length=20, choices=Ergebnis.choices)
    forderung = models.ForeignKey(
        Forderung, on_delete=models.PROTECT, null=True, blank=True, related_name="umsaetze"
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mandant", "referenz"], name="kasse_umsatz_once")
        ]
