from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.core.models import MandantScoped


class BescheidStatus(models.TextChoices):
    ENTWURF = "entwurf", _("Draft")
    ZUR_SCHLUSSZEICHNUNG = "zur_schlusszeichnung", _("Awaiting Schlusszeichnung")
    GEZEICHNET = "gezeichnet", _("Signed")
    ZUGESTELLT = "zugestellt", _("Delivered")


#: A Vorgang has at most one Bescheid in these states at a time.
OPEN_STATES = (BescheidStatus.ENTWURF, BescheidStatus.ZUR_SCHLUSSZEICHNUNG)


class Bescheid(MandantScoped):
    """A decision on a Vorgang: drafted by the unit, signed by its Amtsleitung, sealed, filed
    as a Dokument of the Vorgang and delivered (docs/design/bescheid.md)."""

    vorgang = models.ForeignKey("akte.Vorgang", on_delete=models.PROTECT, related_name="bescheide")
    leistung = models.ForeignKey("dienste.Leistung", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("Status"), max_length=24, choices=BescheidStatus.choices, default=BescheidStatus.ENTWURF
    )
    titel = models.CharField(_("Title"), max_length=200)
    tenor_zusatz = models.TextField(_("Addition to the Tenor"), blank=True)
    begruendung = models.TextField(_("Begründung"), blank=True)
    dokument = models.ForeignKey(
        "akte.Dokument", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_from = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    zugestellt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Bescheid")
        verbose_name_plural = _("Bescheide")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["vorgang"],
                condition=models.Q(status__in=OPEN_STATES),
                name="bescheid_one_open_per_vorgang",
            )
        ]
        indexes = [models.Index(fields=["mandant", "status", "requested_from"])]

    def __str__(self) -> str:
        return self.titel
