from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.akte.models.aktenplan import Aktenplanposition
from amtsfluss.core.models import MandantScoped, Organisationseinheit


class Vertraulichkeit(models.TextChoices):
    OFFEN = "offen", _("offen")
    VERTRAULICH = "vertraulich", _("vertraulich")
    STRENG_VERTRAULICH = "streng_vertraulich", _("streng vertraulich")


class AktenStatus(models.TextChoices):
    OFFEN = "offen", _("offen")
    ZDA = "zda", _("zdA (geschlossen)")


class Akte(MandantScoped):
    """A file formed at a leaf of the Aktenplan, identified by its Aktenzeichen."""

    position = models.ForeignKey(Aktenplanposition, on_delete=models.PROTECT, related_name="akten")
    aktenzeichen = models.CharField(_("Aktenzeichen"), max_length=120)
    laufnummer = models.PositiveIntegerField()
    jahr = models.PositiveSmallIntegerField()
    titel = models.CharField(_("Titel"), max_length=300)
    federfuehrende_oe = models.ForeignKey(
        Organisationseinheit,
        on_delete=models.PROTECT,
        related_name="akten",
        verbose_name=_("federführende Organisationseinheit"),
    )
    vertraulichkeit = models.CharField(
        _("Vertraulichkeit"),
        max_length=20,
        choices=Vertraulichkeit.choices,
        default=Vertraulichkeit.OFFEN,
    )
    status = models.CharField(
        _("Status"), max_length=10, choices=AktenStatus.choices, default=AktenStatus.OFFEN
    )
    geschlossen_am = models.DateField(_("zdA am"), null=True, blank=True)
    aufbewahren_bis = models.DateField(_("aufzubewahren bis"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Akte")
        verbose_name_plural = _("Akten")
        constraints = [
            models.UniqueConstraint(
                fields=["mandant", "aktenzeichen"], name="akte_aktenzeichen_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["mandant", "federfuehrende_oe", "status"]),
            models.Index(fields=["position"]),
            # the few confidential Akten, found without reading the many offen ones (inbox);
            # covering what the confidentiality policy asks of them (no Akte row is read)
            models.Index(
                fields=["mandant", "vertraulichkeit", "federfuehrende_oe", "id"],
                condition=~models.Q(vertraulichkeit="offen"),
                name="akte_confidential",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.aktenzeichen} {self.titel}"

    @property
    def is_confidential(self) -> bool:
        return self.vertraulichkeit != Vertraulichkeit.OFFEN


class FruehereAktenzeichen(MandantScoped):
    """An Aktenzeichen an Akte had before it was re-filed; never issued again."""

    akte = models.ForeignKey(Akte, on_delete=models.CASCADE, related_name="fruehere_aktenzeichen")
    aktenzeichen = models.CharField(max_length=120)
    bis = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mandant", "aktenzeichen"], name="akte_frueheres_az_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.aktenzeichen


class Beteiligung(MandantScoped):
    """An explicit grant on one Akte to a unit or a person, optionally until a moment."""

    akte = models.ForeignKey(Akte, on_delete=models.CASCADE, related_name="beteiligungen")
    unit = models.ForeignKey(
        Organisationseinheit, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="akten_beteiligungen",
    )
    darf_bearbeiten = models.BooleanField(_("darf bearbeiten"), default=False)
    gueltig_bis = models.DateTimeField(_("gültig bis"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Beteiligung")
        verbose_name_plural = _("Beteiligungen")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=True, user__isnull=False)
                | models.Q(unit__isnull=False, user__isnull=True),
                name="akte_beteiligung_unit_xor_user",
            ),
        ]
        indexes = [models.Index(fields=["user", "akte"]), models.Index(fields=["unit", "akte"])]

    def __str__(self) -> str:
        return f"{self.akte_id} → {self.user_id or self.unit_id}"


class PersonArt(models.TextChoices):
    NATUERLICH = "natuerlich", _("natürliche Person")
    JURISTISCH = "juristisch", _("Unternehmen / Organisation")


class Person(MandantScoped):
    """A person or organisation outside the administration, kept once per Mandant.

    Akten refer to it through ``Beteiligter``, so a data-subject request finds every Akte
    about a person with one query.
    """

    art = models.CharField(_("Art"), max_length=12, choices=PersonArt.choices)
    name = models.CharField(_("Name / Firma"), max_length=200)
    vorname = models.CharField(_("Vorname"), max_length=100, blank=True)
    geburtsdatum = models.DateField(_("Geburtsdatum"), null=True, blank=True)
    registernummer = models.CharField(_("Registernummer"), max_length=60, blank=True)
    strasse = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    plz = models.CharField(_("PLZ"), max_length=10, blank=True)
    ort = models.CharField(_("Ort"), max_length=100, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)

    class Meta:
        verbose_name = _("Person")
        verbose_name_plural = _("Personen")
        indexes = [models.Index(fields=["mandant", "name", "vorname"])]

    def __str__(self) -> str:
        return f"{self.vorname} {self.name}".strip()


class Beteiligter(MandantScoped):
    """A person's part in one Akte (Antragsteller:in, Betroffene:r, Bevollmächtigte:r …)."""

    akte = models.ForeignKey(Akte, on_delete=models.CASCADE, related_name="beteiligte")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="beteiligungen")
    rolle = models.CharField(_("Rolle"), max_length=60)

    class Meta:
        verbose_name = _("Beteiligte:r")
        verbose_name_plural = _("Beteiligte")
        constraints = [
            models.UniqueConstraint(
                fields=["akte", "person", "rolle"], name="akte_beteiligter_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.rolle})"
