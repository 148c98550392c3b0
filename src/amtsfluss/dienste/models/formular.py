from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.core.models import MandantScoped
from amtsfluss.dienste.models.leistung import Leistung


class Formular(MandantScoped):
    """The application form of one Leistung; its content lives in numbered versions."""

    leistung = models.OneToOneField(Leistung, on_delete=models.CASCADE, related_name="formular")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Formular")
        verbose_name_plural = _("Formulare")

    def __str__(self) -> str:
        return str(self.leistung)


class Formularversion(MandantScoped):
    """One version of a form definition (docs/forms.md).

    A published version never changes (``services.formular`` refuses it): drafts and later
    Anträge refer to the version they were filled in with. The newest published version is
    the one new drafts start on.
    """

    formular = models.ForeignKey(Formular, on_delete=models.CASCADE, related_name="versionen")
    nummer = models.PositiveIntegerField(_("Version"))
    definition = models.JSONField(_("Definition"))
    sha256 = models.CharField(max_length=64, editable=False)
    veroeffentlicht_am = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Formularversion")
        verbose_name_plural = _("Formularversionen")
        ordering = ["formular", "nummer"]
        constraints = [
            models.UniqueConstraint(
                fields=["formular", "nummer"], name="dienste_formularversion_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.formular} v{self.nummer}"

    @property
    def is_published(self) -> bool:
        return self.veroeffentlicht_am is not None
