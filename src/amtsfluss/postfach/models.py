"""A message in the Postfach of a Vorgang: to or from its applicant."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.akte.models import Dokument, Vorgang
from amtsfluss.core.models import MandantScoped
from amtsfluss.posteingang.models import Sendung


class Richtung(models.TextChoices):
    AN_ANTRAGSTELLER = "an_antragsteller", _("to the applicant")
    VON_ANTRAGSTELLER = "von_antragsteller", _("from the applicant")


class Art(models.TextChoices):
    NACHRICHT = "nachricht", _("Message in the Postfach")
    RUECKFRAGE = "rueckfrage", _("Rückfrage")
    BESCHEID = "bescheid", _("Bescheid")
    EINGANGSBESTAETIGUNG = "eingangsbestaetigung", _("Eingangsbestätigung")


class Nachricht(MandantScoped):
    """One message. Those to the applicant carry Dokumente of the Vorgang (the only ones the
    applicant may download); an answer's files arrive as a Posteingang ``sendung`` and are
    filed into the same Vorgang by the pipeline.

    ``gelesen_am``: when the other side first saw it (the clerk an answer, the applicant a
    message to them) — an answer without it is "unread" for the staff.
    """

    vorgang = models.ForeignKey(Vorgang, on_delete=models.PROTECT, related_name="nachrichten")
    richtung = models.CharField(_("Direction"), max_length=20, choices=Richtung.choices)
    art = models.CharField(
        _("Kind of message"), max_length=30, choices=Art.choices, default=Art.NACHRICHT
    )
    betreff = models.CharField(_("Subject"), max_length=300)
    text = models.TextField(_("Text"), blank=True)
    frist = models.DateField(_("Deadline"), null=True, blank=True)
    dokumente = models.ManyToManyField(Dokument, blank=True, related_name="+")
    empfaenger_email = models.EmailField(_("Recipient's e-mail"), max_length=254, blank=True)
    sendung = models.ForeignKey(
        Sendung, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verfasst_von = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    gelesen_am = models.DateTimeField(_("Read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Message in the Postfach")
        verbose_name_plural = _("Messages")
        indexes = [
            models.Index(fields=["vorgang", "created_at"], name="postfach_vorgang"),
            models.Index(fields=["mandant", "richtung", "gelesen_am"], name="postfach_unread"),
        ]

    def __str__(self) -> str:
        return self.betreff

    @property
    def ist_ungelesene_antwort(self) -> bool:
        return self.richtung == Richtung.VON_ANTRAGSTELLER and self.gelesen_am is None
