from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.core.models import MandantScoped


class BescheidVorlage(MandantScoped):
    """The Bescheid template of one Leistung: configuration, no code per service.

    ``koerper`` is a Django template rendered in a sandbox (``bescheid.sandbox``): only the
    context the Bescheid passes, autoescaped, a fixed list of tags and filters.
    """

    leistung = models.OneToOneField(
        "dienste.Leistung",
        on_delete=models.CASCADE,
        related_name="bescheidvorlage",
        verbose_name=_("Leistung"),
    )
    titel = models.CharField(_("Title"), max_length=200)
    koerper = models.TextField(_("Body (template)"))
    rechtsbehelfsbelehrung = models.TextField(_("Rechtsbehelfsbelehrung"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Bescheid template")
        verbose_name_plural = _("Bescheid templates")

    def __str__(self) -> str:
        return self.titel
