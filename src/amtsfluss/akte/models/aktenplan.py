from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.core.models import MandantScoped, Organisationseinheit


class Archivwuerdigkeit(models.TextChoices):
    ARCHIVIEREN = "A", _("A – archivieren")
    BEWERTEN = "B", _("B – bewerten")
    VERNICHTEN = "V", _("V – vernichten")


class Aktenplanposition(MandantScoped):
    """A position of the Mandant's Aktenplan; Akten are formed only at leaves.

    The Kennzeichen encodes the place in the tree (``10.38.50`` lies below ``10.38``); the
    parent is derived from it, so the tree cannot contain a cycle.
    """

    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    kennzeichen = models.CharField(_("Kennzeichen"), max_length=40)
    titel = models.CharField(_("Titel"), max_length=300)
    beschreibung = models.TextField(_("Beschreibung"), blank=True)
    aufbewahrung_jahre = models.PositiveSmallIntegerField(
        _("Aufbewahrungsfrist (Jahre)"), null=True, blank=True
    )
    aufbewahrung_dauernd = models.BooleanField(_("dauernd aufbewahren"), default=False)
    archivwuerdigkeit = models.CharField(
        _("Archivwürdigkeit"), max_length=1, choices=Archivwuerdigkeit.choices, blank=True
    )
    federfuehrende_oe = models.ForeignKey(
        Organisationseinheit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("federführende Organisationseinheit"),
    )
    is_leaf = models.BooleanField(default=True, editable=False)
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("Aktenplanposition")
        verbose_name_plural = _("Aktenplanpositionen")
        constraints = [
            models.UniqueConstraint(
                fields=["mandant", "kennzeichen"], name="akte_position_kennzeichen_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(aufbewahrung_dauernd=True, aufbewahrung_jahre__isnull=False),
                name="akte_position_retention_either",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kennzeichen} {self.titel}"

    @property
    def sort_key(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.kennzeichen.split("."))
