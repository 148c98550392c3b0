from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
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
        db_index=False,  # vorgang_assigned_akte starts with it
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
            # The inbox picks a page from these alone: only open Vorgänge are indexed, in inbox
            # order (deadline, receipt, id), so a page is the first rows of an index range and
            # the Akte id is at hand for the confidentiality check without reading the row.
            models.Index(
                fields=["mandant", "bearbeiter", "frist", "eingangsdatum", "id", "akte"],
                condition=~Q(status=VorgangStatus.ERLEDIGT),
                name="vorgang_open_person",
            ),
            models.Index(
                fields=["mandant", "bearbeitende_oe", "frist", "eingangsdatum", "id", "akte"],
                condition=Q(bearbeiter__isnull=True) & ~Q(status=VorgangStatus.ERLEDIGT),
                name="vorgang_open_unit",
            ),
            # "the Akten of my Vorgänge" (the policy's assigned term), from the index alone
            models.Index(fields=["bearbeiter", "mandant", "akte"], name="vorgang_assigned_akte"),
            models.Index(fields=["akte", "status"]),
        ]

    def __str__(self) -> str:
        return self.betreff
