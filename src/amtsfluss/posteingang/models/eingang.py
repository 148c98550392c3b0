"""One received file on its way through checking, conversion, OCR and filing."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.akte.models import Dokument, Dokumentversion
from amtsfluss.core.models import Blob, MandantScoped, Organisationseinheit
from amtsfluss.posteingang.models.sendung import Kanal, Sendung


class EingangStatus(models.TextChoices):
    NEU = "neu", _("neu")
    GEPRUEFT = "geprueft", _("geprüft")
    IN_BEARBEITUNG = "in_bearbeitung", _("in Bearbeitung")
    BEREIT = "bereit", _("bereit")
    KLAERUNG = "klaerung", _("Klärungsfall")
    ABGEWIESEN = "abgewiesen", _("abgewiesen")


#: states in which the pipeline still has work to do
OFFENE_STATUS = (EingangStatus.NEU, EingangStatus.GEPRUEFT, EingangStatus.IN_BEARBEITUNG)


class Schritt(models.TextChoices):
    PRUEFUNG = "pruefung", _("Prüfung")
    KONVERTIERUNG = "konvertierung", _("Umwandlung in PDF")
    TEXT = "text", _("Textauszug")
    OCR = "ocr", _("Texterkennung")
    VORSCHAU = "vorschau", _("Vorschau")
    KLASSIFIKATION = "klassifikation", _("Ablagevorschlag")
    ABLAGE = "ablage", _("Ablage")


class Textquelle(models.TextChoices):
    TEXTLAYER = "textlayer", _("Textebene")
    OCR = "ocr", _("Texterkennung")
    OFFICE = "office", _("Office-Dokument")
    MAIL = "mail", _("E-Mail")


class Eingang(MandantScoped):
    """One received file. The blobs it produced and its state make every step resumable."""

    sendung = models.ForeignKey(Sendung, on_delete=models.PROTECT, related_name="eingaenge")
    position = models.PositiveSmallIntegerField(default=0)
    kanal = models.CharField(_("Eingangskanal"), max_length=10, choices=Kanal.choices)
    unit = models.ForeignKey(
        Organisationseinheit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Organisationseinheit"),
    )
    herkunft = models.JSONField(_("Herkunft"), default=dict, blank=True)
    dateiname = models.CharField(_("Dateiname"), max_length=255)
    titel = models.CharField(_("Titel"), max_length=300)
    ist_nachricht = models.BooleanField(default=False)  # the text of a mail
    #: empty only for a file refused before its bytes were kept (larger than the limit)
    original = models.ForeignKey(
        Blob, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    media_type = models.CharField(_("Dateityp"), max_length=120, blank=True)
    status = models.CharField(
        _("Status"), max_length=20, choices=EingangStatus.choices, default=EingangStatus.NEU
    )
    schritt = models.CharField(max_length=20, choices=Schritt.choices, blank=True)
    grund = models.CharField(_("Grund"), max_length=500, blank=True)
    versuche = models.PositiveSmallIntegerField(_("Wiederholungen"), default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    pdf = models.ForeignKey(Blob, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    archiv = models.ForeignKey(
        Blob, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    vorschau = models.ForeignKey(
        Blob, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    seiten = models.PositiveIntegerField(_("Seiten"), null=True, blank=True)
    text_done = models.BooleanField(default=False)
    text = models.TextField(blank=True)  # only while the search app is not installed
    textquelle = models.CharField(max_length=10, choices=Textquelle.choices, blank=True)
    klassifiziert = models.BooleanField(default=False)  # the suggestion step ran
    dokument = models.ForeignKey(
        Dokument, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dokumentversion = models.ForeignKey(
        Dokumentversion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(_("Eingang"))
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Eingang")
        verbose_name_plural = _("Eingänge")
        indexes = [
            models.Index(fields=["mandant", "unit", "status"], name="eingang_unit_status"),
            models.Index(fields=["mandant", "sha256"], name="eingang_sha256"),
            models.Index(fields=["status", "lease_until"], name="eingang_resume"),
        ]

    def __str__(self) -> str:
        return self.dateiname

    def vermerk_set(self, **fields: object) -> None:
        """Note findings in the Transfervermerk, if this Eingang has one (scans)."""
        Transfervermerk.objects.filter(eingang=self).update(**fields)


class Transfervermerk(MandantScoped):
    """The record of a scan's transfer (in the spirit of BSI TR-RESISCAN): who, when, with
    which device, what was noticed, how sure the text recognition was."""

    eingang = models.OneToOneField(Eingang, on_delete=models.PROTECT, related_name="vermerk")
    erfasst_von = models.CharField(_("erfasst von"), max_length=300)
    erfasst_am = models.DateTimeField(_("erfasst am"))
    geraet = models.CharField(_("Gerät oder Kanal"), max_length=300)
    seiten = models.PositiveIntegerField(_("Seiten"), null=True, blank=True)
    leere_seiten = models.JSONField(_("leere Seiten"), default=list, blank=True)
    gedrehte_seiten = models.JSONField(_("gedrehte Seiten"), default=list, blank=True)
    ocr_konfidenz = models.PositiveSmallIntegerField(_("OCR-Konfidenz (%)"), null=True, blank=True)
    bemerkungen = models.TextField(_("Bemerkungen"), blank=True)

    class Meta:
        verbose_name = _("Transfervermerk")
        verbose_name_plural = _("Transfervermerke")

    def __str__(self) -> str:
        return f"{self.geraet} {self.erfasst_am:%Y-%m-%d}"
