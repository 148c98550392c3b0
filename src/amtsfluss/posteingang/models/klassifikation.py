"""Classification of received post: the suggestion for one Eingang and the Mandant's trained
models.

A ``Vorschlag`` says where an Eingang belongs (Aktenplan position, unit, Dokumenttyp, Akte and
— when an Aktenzeichen names an Akte with one open Vorgang — that Vorgang), each target with a
confidence and its source (a rule or the model). Staff accept it or correct it; the decision
is kept on the row and the Dokument is moved there, so it becomes a labelled example of the
next training.

A ``Klassifikator`` is one trained model of a Mandant: a NumPy archive in the blob store (no
pickle anywhere), its version, and an HMAC of the bytes under the installation's secret, checked
before the file is read.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.akte.models import Akte, Aktenplanposition, Vorgang
from amtsfluss.core.models import Blob, MandantScoped, Organisationseinheit
from amtsfluss.posteingang.models.eingang import Eingang


class VorschlagStatus(models.TextChoices):
    OFFEN = "offen", _("offen")
    ANGENOMMEN = "angenommen", _("angenommen")
    KORRIGIERT = "korrigiert", _("korrigiert")
    ZIEL = "ziel", _("beim Eingang bestimmt")  # the Sendung named its target: nothing to suggest


#: states that say where an Eingang really belongs (examples for the sender and Kassenzeichen)
ENTSCHIEDEN = (VorschlagStatus.ANGENOMMEN, VorschlagStatus.KORRIGIERT, VorschlagStatus.ZIEL)


class Vorschlag(MandantScoped):
    """Where one Eingang probably belongs, and what staff decided."""

    eingang = models.OneToOneField(Eingang, on_delete=models.PROTECT, related_name="vorschlag")
    aktenplanposition = models.ForeignKey(
        Aktenplanposition, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        Organisationseinheit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dokumenttyp = models.CharField(_("Dokumenttyp"), max_length=20, blank=True)
    akte = models.ForeignKey(
        Akte, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    vorgang = models.ForeignKey(
        Vorgang, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: per target (position, unit, dokumenttyp, akte): {"konfidenz": 0.93, "quelle": "modell"}
    details = models.JSONField(default=dict, blank=True)
    #: what the rules found in the text (for later lookups: a Kassenzeichen seen before)
    aktenzeichen = models.CharField(max_length=120, blank=True)
    kassenzeichen = models.CharField(max_length=60, blank=True)
    absender = models.CharField(max_length=254, blank=True)  # the sender's mail address
    modellversion = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(
        _("Status"), max_length=12, choices=VorschlagStatus.choices, default=VorschlagStatus.OFFEN
    )
    #: the decision: where it was filed, with which Dokumenttyp
    entschieden_akte = models.ForeignKey(
        Akte, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entschieden_dokumenttyp = models.CharField(max_length=20, blank=True)
    entschieden_von = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entschieden_am = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Ablagevorschlag")
        verbose_name_plural = _("Ablagevorschläge")
        indexes = [
            models.Index(fields=["mandant", "kassenzeichen"], name="vorschlag_kassenzeichen"),
            models.Index(fields=["mandant", "absender"], name="vorschlag_absender"),
        ]

    def __str__(self) -> str:
        return f"{self.eingang_id}: {self.akte_id or self.aktenplanposition_id}"

    def ist_leer(self) -> bool:
        return not (self.aktenplanposition_id or self.unit_id or self.dokumenttyp or self.akte_id)


class Klassifikator(MandantScoped):
    """One trained model of a Mandant (the newest is used)."""

    version = models.PositiveIntegerField()
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    #: HMAC-SHA256 of the archive's bytes under the installation's secret key
    signatur = models.CharField(max_length=64)
    beispiele = models.PositiveIntegerField(_("Beispiele"))
    #: per target: classes and training accuracy
    kennzahlen = models.JSONField(default=dict, blank=True)
    #: refused on load (damaged or not ours): never used again
    verworfen = models.BooleanField(default=False)
    trained_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Klassifikator")
        verbose_name_plural = _("Klassifikatoren")
        constraints = [
            models.UniqueConstraint(
                fields=["mandant", "version"], name="klassifikator_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mandant_id} v{self.version}"
