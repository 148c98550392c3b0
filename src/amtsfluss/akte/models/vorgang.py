from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.akte.models.akte import Akte
from amtsfluss.core.models import MandantScoped, Organisationseinheit


class VorgangStatus(models.TextChoices):
    NEU = "neu", _("neu")
    IN_BEARBEITUNG = "in_bearbeitung", _("in Bearbeitung")
    WARTET = "wartet", _("wartet")
    ERLEDIGT = "erledigt", _("erledigt")


class Vorgang(MandantScoped):
    """A case inside an Akte — the unit of work in a clerk's inbox."""

    akte = models.ForeignKey(Akte, on_delete=models.PROTECT, related_name="vorgaenge")
    betreff = models.CharField(_("Betreff"), max_length=300)
    eingangsdatum = models.DateField(_("Eingangsdatum"))
    bearbeitende_oe = models.ForeignKey(
        Organisationseinheit,
        on_delete=models.PROTECT,
        related_name="vorgaenge",
        verbose_name=_("bearbeitende Organisationseinheit"),
    )
    bearbeiter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="vorgaenge",
        verbose_name=_("Bearbeiter:in"),
    )
    frist = models.DateField(_("Frist"), null=True, blank=True)
    status = models.CharField(
        _("Status"), max_length=20, choices=VorgangStatus.choices, default=VorgangStatus.NEU
    )
    erledigt_am = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Vorgang")
        verbose_name_plural = _("Vorgänge")
        indexes = [
            # The inbox picks a page from these alone (covering, id included: no row is read
            # per candidate); the person index also answers the policy's "the Akten of my
            # Vorgänge". Not partial on "open": SQLite cannot use a partial index for a query
            # whose status is a bound parameter, as Django's always is.
            models.Index(
                fields=["mandant", "bearbeiter", "status", "frist", "eingangsdatum", "akte", "id"],
                name="vorgang_inbox_person",
            ),
            models.Index(
                fields=[
                    "mandant",
                    "bearbeitende_oe",
                    "bearbeiter",
                    "status",
                    "akte",
                    "frist",
                    "eingangsdatum",
                    "id",
                ],
                name="vorgang_inbox_unit",
            ),
            models.Index(fields=["akte", "status"]),
        ]

    def __str__(self) -> str:
        return self.betreff
