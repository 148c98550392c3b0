"""The Rechnungseingangsbuch: one ``Rechnung`` per received file, and its approval steps."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.akte.models import Dokument, Vorgang
from amtsfluss.core.models import Blob, MandantScoped, Organisationseinheit

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def money_field(label: StrOrPromise) -> models.DecimalField[Decimal | None, Decimal | None]:
    return models.DecimalField(label, max_digits=16, decimal_places=2, null=True, blank=True)


class Kanal(models.TextChoices):
    UPLOAD = "upload", _("Hochladen")
    API = "api", _("Schnittstelle")
    ORDNER = "ordner", _("Eingangsordner")
    MAIL = "mail", _("E-Mail")


class RechnungStatus(models.TextChoices):
    ABGEWIESEN = "abgewiesen", _("abgewiesen (keine gültige E-Rechnung)")
    KLAERUNG = "klaerung", _("in Klärung (keine Zuständigkeit)")
    DUBLETTE = "dublette", _("Dublette")
    EINGEGANGEN = "eingegangen", _("eingegangen")
    SACHLICH_RICHTIG = "sachlich_richtig", _("sachlich richtig")
    RECHNERISCH_RICHTIG = "rechnerisch_richtig", _("rechnerisch richtig")
    ANGEORDNET = "angeordnet", _("angeordnet")
    ZUR_ZAHLUNG = "zur_zahlung", _("zur Zahlung")
    ZURUECKGEWIESEN = "zurueckgewiesen", _("zurückgewiesen")


#: Statuses in which an approval step is still open (Zurückweisung possible).
OPEN_STATUSES = (
    RechnungStatus.EINGEGANGEN,
    RechnungStatus.SACHLICH_RICHTIG,
    RechnungStatus.RECHNERISCH_RICHTIG,
)


class EingangsnummerZaehler(MandantScoped):
    """The last Eingangsnummer issued per Mandant and year; locked while issuing the next."""

    jahr = models.PositiveSmallIntegerField()
    letzte = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mandant", "jahr"], name="rechnung_zaehler_unique")
        ]

    def __str__(self) -> str:
        return f"{self.jahr}: {self.letzte}"


class Rechnung(MandantScoped):
    """One entry of the Rechnungseingangsbuch: a received file and what was read from it."""

    eingangsnummer = models.CharField(_("Eingangsnummer"), max_length=20)
    eingegangen_am = models.DateTimeField(_("Eingang"))
    kanal = models.CharField(_("Eingangskanal"), max_length=10, choices=Kanal.choices)
    herkunft = models.JSONField(_("Herkunft"), default=dict, blank=True)
    dateiname = models.CharField(_("Dateiname"), max_length=255)
    original = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    inhalt_sha256 = models.CharField(max_length=64)
    # validation
    syntax = models.CharField(max_length=20, blank=True)
    customization_id = models.CharField(max_length=300, blank=True)
    verdict = models.CharField(max_length=10)
    findings = models.JSONField(default=list, blank=True)
    # content (EN 16931)
    verkaeufer_name = models.CharField(_("Rechnungssteller"), max_length=300, blank=True)
    verkaeufer_ust_id = models.CharField(_("USt-IdNr."), max_length=40, blank=True)
    verkaeufer_email = models.EmailField(_("E-Mail des Rechnungsstellers"), blank=True)
    zahlungsempfaenger_name = models.CharField(max_length=300, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    rechnungsnummer = models.CharField(_("Rechnungsnummer"), max_length=200, blank=True)
    rechnungsdatum = models.DateField(_("Rechnungsdatum"), null=True, blank=True)
    ist_gutschrift = models.BooleanField(_("Gutschrift"), default=False)
    waehrung = models.CharField(_("Währung"), max_length=3, blank=True)
    netto = money_field(_("Netto"))
    steuer = money_field(_("Umsatzsteuer"))
    brutto = money_field(_("Brutto"))
    zahlbetrag = money_field(_("Zahlbetrag"))
    faellig_am = models.DateField(_("fällig am"), null=True, blank=True)
    skonto_bis = models.DateField(_("Skonto bis"), null=True, blank=True)
    skonto_betrag = money_field(_("Skontobetrag"))
    leitweg_id = models.CharField(_("Leitweg-ID"), max_length=200, blank=True)
    # register
    unit = models.ForeignKey(
        Organisationseinheit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("zuständige Organisationseinheit"),
    )
    klaerungsgrund = models.CharField(_("Klärungsgrund"), max_length=300, blank=True)
    ist_dublette = models.BooleanField(_("Dublette"), default=False)
    dublette_von = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="dubletten"
    )
    dublette_grund = models.CharField(_("Dublettengrund"), max_length=300, blank=True)
    status = models.CharField(_("Status"), max_length=20, choices=RechnungStatus.choices)
    vorgang = models.ForeignKey(
        Vorgang, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    freigabe_dokument = models.ForeignKey(
        Dokument, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    zahlungslauf = models.ForeignKey(
        "rechnung.Zahlungslauf",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rechnungen",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("Rechnung")
        verbose_name_plural = _("Rechnungen")
        constraints = [
            models.UniqueConstraint(
                fields=["mandant", "eingangsnummer"], name="rechnung_eingangsnummer_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["mandant", "status", "unit"]),
            models.Index(fields=["mandant", "inhalt_sha256"]),
            models.Index(fields=["mandant", "rechnungsnummer"]),
            models.Index(fields=["mandant", "faellig_am"]),
        ]

    def __str__(self) -> str:
        return f"{self.eingangsnummer} {self.verkaeufer_name} {self.rechnungsnummer}"


class Schritt(models.TextChoices):
    SACHLICH_RICHTIG = "sachlich_richtig", _("sachlich richtig")
    RECHNERISCH_RICHTIG = "rechnerisch_richtig", _("rechnerisch richtig")
    ANORDNUNG = "anordnung", _("Anordnung")


class Entscheidung(models.TextChoices):
    BESTAETIGT = "bestaetigt", _("bestätigt")
    ZURUECKGEWIESEN = "zurueckgewiesen", _("zurückgewiesen")


class Pruefschritt(MandantScoped):
    """One decision in the approval of a Rechnung, signed by a real person."""

    rechnung = models.ForeignKey(Rechnung, on_delete=models.PROTECT, related_name="schritte")
    schritt = models.CharField(_("Schritt"), max_length=20, choices=Schritt.choices)
    entscheidung = models.CharField(_("Entscheidung"), max_length=20, choices=Entscheidung.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    befugnis = models.ForeignKey(
        "rechnung.Anordnungsbefugnis",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    begruendung = models.TextField(_("Begründung"), blank=True)
    at = models.DateTimeField(_("Zeitpunkt"))

    class Meta:
        verbose_name = _("Prüfschritt")
        verbose_name_plural = _("Prüfschritte")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["rechnung", "schritt"], name="rechnung_schritt_once")
        ]

    def __str__(self) -> str:
        return f"{self.rechnung_id} {self.schritt} {self.entscheidung}"
