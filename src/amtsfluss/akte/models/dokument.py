from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.akte.models.vorgang import Vorgang
from amtsfluss.core.models import Blob, MandantScoped


class Richtung(models.TextChoices):
    EINGANG = "eingang", _("Eingang")
    AUSGANG = "ausgang", _("Ausgang")
    INTERN = "intern", _("intern")


class Dokumenttyp(models.TextChoices):
    ANTRAG = "antrag", _("Antrag")
    BESCHEID = "bescheid", _("Bescheid")
    SCHREIBEN = "schreiben", _("Schreiben")
    VERMERK = "vermerk", _("Vermerk")
    NACHWEIS = "nachweis", _("Nachweis")
    RECHNUNG = "rechnung", _("Rechnung")
    EMAIL = "email", _("E-Mail")
    SONSTIGES = "sonstiges", _("Sonstiges")


class Rendition(models.TextChoices):
    ORIGINAL = "original", _("Original")
    ARCHIV = "archiv", _("Archivfassung (PDF/A)")


class Dokument(MandantScoped):
    vorgang = models.ForeignKey(Vorgang, on_delete=models.PROTECT, related_name="dokumente")
    titel = models.CharField(_("Titel"), max_length=300)
    dokumentdatum = models.DateField(_("Dokumentdatum"))
    absender_empfaenger = models.CharField(_("Absender/Empfänger"), max_length=300, blank=True)
    richtung = models.CharField(_("Richtung"), max_length=10, choices=Richtung.choices)
    dokumenttyp = models.CharField(_("Dokumenttyp"), max_length=20, choices=Dokumenttyp.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Dokument")
        verbose_name_plural = _("Dokumente")
        indexes = [models.Index(fields=["vorgang", "dokumentdatum"])]

    def __str__(self) -> str:
        return self.titel


class Dokumentversion(MandantScoped):
    """One write-once version of a Dokument; original and PDF/A rendition sit side by side."""

    dokument = models.ForeignKey(Dokument, on_delete=models.PROTECT, related_name="versionen")
    nummer = models.PositiveIntegerField()
    rendition = models.CharField(max_length=10, choices=Rendition.choices)
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    dateiname = models.CharField(_("Dateiname"), max_length=255)
    media_type = models.CharField(max_length=120)
    kommentar = models.CharField(_("Anlass"), max_length=300, blank=True)
    ist_aktuell = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Dokumentversion")
        verbose_name_plural = _("Dokumentversionen")
        constraints = [
            models.UniqueConstraint(
                fields=["dokument", "nummer", "rendition"], name="akte_version_unique"
            ),
            models.UniqueConstraint(
                fields=["dokument", "rendition"],
                condition=models.Q(ist_aktuell=True),
                name="akte_version_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dateiname} v{self.nummer} ({self.rendition})"
