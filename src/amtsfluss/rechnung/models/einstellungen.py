"""Per-Mandant configuration of the invoice intake: settings, routing, Anordnungsbefugnisse."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.akte.models import Aktenplanposition
from amtsfluss.core.models import MandantScoped, Organisationseinheit


class RechnungEinstellungen(MandantScoped):
    """How one Mandant receives and pays invoices (one row per Mandant)."""

    akzeptierte_customization_ids = models.JSONField(
        _("akzeptierte Spezifikationskennungen"),
        default=list,
        blank=True,
        help_text=_(
            "Accepted CustomizationIDs: exact, or a prefix ending in *; empty accepts what the "
            "installed rules accept."
        ),
    )  # fmt: skip
    aktenplanposition = models.ForeignKey(
        Aktenplanposition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Aktenplanposition für Rechnungsakten"),
    )
    zahlungspflichtiger_name = models.CharField(_("Kontoinhaber"), max_length=70, blank=True)
    zahlungspflichtiger_iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    zahlungspflichtiger_bic = models.CharField(_("BIC"), max_length=11, blank=True)
    wiedervorlage_tage = models.PositiveSmallIntegerField(
        _("Wiedervorlage Tage vor der Frist"), default=3
    )

    class Meta:
        verbose_name = _("Einstellungen E-Rechnung")
        constraints = [
            models.UniqueConstraint(fields=["mandant"], name="rechnung_einstellungen_one")
        ]

    def __str__(self) -> str:
        return f"E-Rechnung {self.mandant_id}"


class Leitweg(MandantScoped):
    """Routing: invoices whose BuyerReference (BT-10) is ``leitweg_id`` belong to ``unit``."""

    leitweg_id = models.CharField(_("Leitweg-ID"), max_length=100)
    unit = models.ForeignKey(
        Organisationseinheit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Organisationseinheit"),
    )

    class Meta:
        verbose_name = _("Leitweg-ID")
        verbose_name_plural = _("Leitweg-IDs")
        constraints = [
            models.UniqueConstraint(
                fields=["mandant", "leitweg_id"], name="rechnung_leitweg_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.leitweg_id} → {self.unit_id}"


class Anordnungsbefugnis(MandantScoped):
    """A person may order payments for a unit and everything below it, up to an amount."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="anordnungsbefugnisse"
    )
    unit = models.ForeignKey(
        Organisationseinheit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Organisationseinheit"),
    )
    betragsgrenze = models.DecimalField(
        _("Betragsgrenze"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    valid_from = models.DateTimeField(_("gültig ab"), null=True, blank=True)
    valid_until = models.DateTimeField(_("gültig bis"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Anordnungsbefugnis")
        verbose_name_plural = _("Anordnungsbefugnisse")
        indexes = [models.Index(fields=["mandant", "user"])]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.unit_id} ≤ {self.betragsgrenze}"
