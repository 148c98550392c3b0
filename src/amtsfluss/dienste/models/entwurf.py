from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.core.models import MandantScoped
from amtsfluss.dienste.models.formular import Formularversion


class Entwurf(MandantScoped):
    """An application being filled in, step by step, not yet submitted.

    It is reached only through an unguessable link: the token is in the URL, the table keeps
    its SHA-256. ``daten`` holds the entries as typed (text per input name), so that a step
    shows again exactly what was entered; ``fertige_schritte`` the ids of the steps that
    passed their checks. A draft stays on the form version it started with, and is removed
    after ``gueltig_bis``.
    """

    formularversion = models.ForeignKey(
        Formularversion, on_delete=models.PROTECT, related_name="entwuerfe"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    daten = models.JSONField(default=dict)
    wiederholungen = models.JSONField(default=dict)
    fertige_schritte = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    gueltig_bis = models.DateTimeField(_("valid until"), db_index=True)

    class Meta:
        verbose_name = _("Entwurf")
        verbose_name_plural = _("Entwürfe")

    def __str__(self) -> str:
        return f"Entwurf {self.pk}"


class EntwurfDatei(MandantScoped):
    """A file uploaded into a draft's file field, kept with the draft (and removed with it).

    The bytes stay in the row, not in the blob store: a draft's files are the applicant's until
    submission and must vanish with an expired draft. Submission hands them to the Posteingang.
    """

    entwurf = models.ForeignKey(Entwurf, on_delete=models.CASCADE, related_name="dateien")
    feld = models.CharField(max_length=40)
    dateiname = models.CharField(max_length=255)
    media_type = models.CharField(max_length=120)
    groesse = models.PositiveIntegerField()
    inhalt = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("file of a draft")
        verbose_name_plural = _("files of drafts")
        ordering = ["entwurf", "feld", "pk"]

    def __str__(self) -> str:
        return self.dateiname
