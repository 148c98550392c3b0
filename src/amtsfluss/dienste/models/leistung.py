from __future__ import annotations

from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from amtsfluss.core.models import MandantScoped, Organisationseinheit

LEIKA_LENGTH = 14


class Lebenslage(models.TextChoices):
    """The situations of life (and of a business) the public catalogue is grouped by."""

    GEBURT = "geburt", _("Birth and children")
    EHE = "ehe", _("Marriage and partnership")
    TODESFALL = "todesfall", _("Death and inheritance")
    WOHNEN = "wohnen", _("Housing and moving")
    AUSWEISE = "ausweise", _("Identity documents and certificates")
    BAUEN = "bauen", _("Building and property")
    VERKEHR = "verkehr", _("Mobility and traffic")
    SOZIALES = "soziales", _("Social benefits")
    BILDUNG = "bildung", _("School and education")
    UNTERNEHMEN = "unternehmen", _("Starting and running a business")
    ORDNUNG = "ordnung", _("Safety and public order")
    FREIZEIT = "freizeit", _("Leisure and events")


class Leistung(MandantScoped):
    """A public service of the Mandant, identified by its LeiKa key (docs/design/dienste.md)."""

    leika_schluessel = models.CharField(_("LeiKa key"), max_length=LEIKA_LENGTH)
    name = models.CharField(_("Name"), max_length=200)
    beschreibung = models.TextField(_("Description"), blank=True)
    schlagworte = models.JSONField(_("Keywords"), default=list, blank=True)
    zustaendige_oe = models.ForeignKey(
        Organisationseinheit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible unit"),
    )
    aktenplanposition = models.ForeignKey(
        "akte.Aktenplanposition",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Aktenplan position of its Vorgänge"),
    )
    unterlagen = models.JSONField(_("Required documents"), default=list, blank=True)
    rechtsgrundlagen = models.JSONField(_("Legal basis"), default=list, blank=True)
    gebuehr = models.JSONField(_("Fee rule"), default=dict)
    bearbeitungsdauer_tage = models.PositiveSmallIntegerField(
        _("Expected processing time (days)"), null=True, blank=True
    )
    veroeffentlicht = models.BooleanField(_("published"), default=False)
    #: name, description and keywords folded for the catalogue search (``dienste.text.fold``)
    suchtext = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Leistung")
        verbose_name_plural = _("Leistungen")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["mandant", "leika_schluessel"], name="dienste_leistung_leika_unique"
            ),
            models.CheckConstraint(
                condition=Exact(Length("leika_schluessel"), LEIKA_LENGTH),
                name="dienste_leistung_leika_length",
            ),
        ]
        indexes = [models.Index(fields=["mandant", "veroeffentlicht", "name"])]

    def __str__(self) -> str:
        return f"{self.leika_schluessel} {self.name}"


class LeistungLebenslage(MandantScoped):
    """One Lebenslage a Leistung belongs to (a table, so the catalogue filters in SQL)."""

    leistung = models.ForeignKey(Leistung, on_delete=models.CASCADE, related_name="lebenslagen")
    lebenslage = models.CharField(_("Lebenslage"), max_length=20, choices=Lebenslage.choices)

    class Meta:
        verbose_name = _("Lebenslage of a Leistung")
        verbose_name_plural = _("Lebenslagen of Leistungen")
        constraints = [
            models.UniqueConstraint(
                fields=["leistung", "lebenslage"], name="dienste_leistung_lebenslage_unique"
            )
        ]
        indexes = [models.Index(fields=["mandant", "lebenslage"])]
