from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.core.models import MandantScoped


class Empfaenger(MandantScoped):
    """The Mandant's receiving account: where citizens pay fees to (one per Mandant).

    ``kassenzeichen_praefix`` starts every Kassenzeichen of the Mandant (letters and digits);
    IBAN and BIC are stored compact and were checked with schwifty when set.
    """

    name = models.CharField(_("account holder"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    kassenzeichen_praefix = models.CharField(_("Kassenzeichen prefix"), max_length=6)

    class Meta:
        verbose_name = _("receiving account")
        verbose_name_plural = _("receiving accounts")
        constraints = [
            models.UniqueConstraint(fields=["mandant"], name="kasse_empfaenger_one_per_mandant")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.iban}"


class KassenzeichenZaehler(MandantScoped):
    """The last running number of Kassenzeichen per Mandant and year (locked to draw one)."""

    jahr = models.PositiveIntegerField()
    letzte = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mandant", "jahr"], name="kasse_zaehler_unique")
        ]
