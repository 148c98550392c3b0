"""What arrived together (one mail, one upload, one import folder) and the Mandant's settings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.akte.models import Akte, Aktenplanposition, Vorgang
from amtsfluss.core.models import MandantScoped, Organisationseinheit


class Kanal(models.TextChoices):
    UPLOAD = "upload", _("Hochladen")
    API = "api", _("Schnittstelle")
    ORDNER = "ordner", _("Eingangsordner")
    MAIL = "mail", _("E-Mail")
    IMPORT = "import", _("Massenimport")


class Sendung(MandantScoped):
    """Files received together; all of them are filed as Dokumente of one Vorgang."""

    kanal = models.CharField(_("Eingangskanal"), max_length=10, choices=Kanal.choices)
    herkunft = models.JSONField(_("Herkunft"), default=dict, blank=True)
    betreff = models.CharField(_("Betreff"), max_length=300)
    unit = models.ForeignKey(
        Organisationseinheit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Organisationseinheit"),
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("Eingang"))
    #: where the intake wants the Dokumente: a Vorgang, or an Akte (a new Vorgang in it)
    ziel_vorgang = models.ForeignKey(
        Vorgang, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ziel_akte = models.ForeignKey(
        Akte, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: the Vorgang its Dokumente were filed in (formed with the first one)
    vorgang = models.ForeignKey(
        Vorgang, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("Sendung")
        verbose_name_plural = _("Sendungen")

    def __str__(self) -> str:
        return self.betreff


#: a Kassenzeichen as printed by most municipal cash offices (until the kasse app names its own)
DEFAULT_KASSENZEICHEN_MUSTER = (
    r"\b(?:Kassenzeichen|Kassen-Nr\.?)[:\s]*([0-9][0-9.\-/]{5,30}[0-9])(?![0-9])"
)


class PosteingangEinstellung(MandantScoped):
    """Where unrouted post is filed: an Akte "Posteingang <year>" per unit at this position;
    how a Kassenzeichen is recognised in received text (a regular expression, group 1)."""

    aktenplanposition = models.ForeignKey(
        Aktenplanposition, on_delete=models.PROTECT, related_name="+"
    )
    kassenzeichen_muster = models.CharField(
        _("Muster des Kassenzeichens"), max_length=200, default=DEFAULT_KASSENZEICHEN_MUSTER
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mandant"], name="posteingang_einstellung_unique")
        ]

    def __str__(self) -> str:
        return str(self.aktenplanposition_id)
