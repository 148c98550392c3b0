from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.core.models import MandantScoped
from amtsfluss.dienste.models.formular import Formularversion
from amtsfluss.dienste.models.leistung import Leistung


class AntragStatus(models.TextChoices):
    """The steps of an application the applicant sees on the status page, in this order."""

    EINGEGANGEN = "eingegangen", _("Application received")
    IN_BEARBEITUNG = "in_bearbeitung", _("In progress")
    RUECKFRAGE = "rueckfrage", _("Query to the applicant")
    ENTSCHIEDEN = "entschieden", _("Decided")
    ABGESCHLOSSEN = "abgeschlossen", _("Completed")


class Antrag(MandantScoped):
    """A submitted application: the form data and the Vorgang it became (docs/design/dienste.md).

    The applicant reaches it only through the status link; the token is in the URL (and the
    e-mail), the table keeps its SHA-256 (``token_hash``). ``einreichung_hash`` is the SHA-256
    of the draft's link token: a second submission of the same draft finds this row instead of
    creating another (the unique constraint holds under concurrency). ``daten`` and
    ``wiederholungen`` have the draft's shape.
    """

    leistung = models.ForeignKey(Leistung, on_delete=models.PROTECT, related_name="antraege")
    formularversion = models.ForeignKey(
        Formularversion, on_delete=models.PROTECT, related_name="antraege"
    )
    vorgang = models.OneToOneField(
        "akte.Vorgang", on_delete=models.PROTECT, related_name="antrag", verbose_name=_("Vorgang")
    )
    #: the entries as typed (text per input name) and the item counts of repeatable groups,
    #: as the draft held them: evaluated with the form version and the submission date they
    #: give the typed values again (``antrag_dokumente.evaluation_of``)
    daten = models.JSONField(_("Form data"), default=dict)
    wiederholungen = models.JSONField(default=dict)
    #: the form's values by field id, JSON-safe (dates ISO, numbers and money as text, a group a
    #: list of such objects), as evaluated at submission: for readers without the form engine
    werte = models.JSONField(default=dict)
    status = models.CharField(
        _("Status"), max_length=20, choices=AntragStatus.choices, default=AntragStatus.EINGEGANGEN
    )
    eingereicht_am = models.DateTimeField(_("submitted at"))
    antragsteller_email = models.EmailField(_("applicant's e-mail"), max_length=254, blank=True)
    antragsteller_name = models.CharField(_("applicant's name"), max_length=300, blank=True)
    gebuehr = models.DecimalField(_("Fee"), max_digits=12, decimal_places=2, null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    einreichung_hash = models.CharField(max_length=64, unique=True, editable=False)
    eingangsbestaetigung = models.ForeignKey(
        "akte.Dokument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledgement of receipt"),
    )
    #: the citizen account that was signed in when it was sent (``konto``), for "my
    #: applications"; none for an application without an account
    buerger = models.ForeignKey(
        "konto.Buerger",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="antraege",
        verbose_name=_("citizen account"),
    )

    class Meta:
        verbose_name = _("Antrag")
        verbose_name_plural = _("Anträge")
        indexes = [models.Index(fields=["mandant", "status", "eingereicht_am"])]

    def __str__(self) -> str:
        return f"Antrag {self.pk} ({self.leistung_id})"

    @property
    def geschaeftszeichen(self) -> str:
        """The case number the applicant quotes: the Akte's Aktenzeichen and the Vorgang."""
        return f"{self.vorgang.akte.aktenzeichen}/{self.vorgang_id}"


class AntragEreignis(MandantScoped):
    """One step of an Antrag's timeline: the status it reached, when, by whom, with a note."""

    antrag = models.ForeignKey(Antrag, on_delete=models.CASCADE, related_name="ereignisse")
    status = models.CharField(_("Status"), max_length=20, choices=AntragStatus.choices)
    am = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    notiz = models.CharField(_("Note"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("status change of an Antrag")
        verbose_name_plural = _("status changes of Anträge")
        ordering = ["antrag", "am", "id"]
        indexes = [models.Index(fields=["antrag", "am"])]

    def __str__(self) -> str:
        return f"{self.antrag_id} {self.status}"
