from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.core.models.mandant import MandantScoped


class Vertretung(MandantScoped):
    """A time-bounded deputy: ``vertretung`` acts with the rights of ``vertretene_person``."""

    vertretene_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="vertretungen_als_vertretene",
        verbose_name=_("vertretene Person"),
    )
    vertretung = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="vertretungen_als_vertretung",
        verbose_name=_("Vertretung"),
    )
    valid_from = models.DateTimeField(_("von"))
    valid_until = models.DateTimeField(_("bis"))
    reason = models.CharField(_("Anlass"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Vertretung")
        verbose_name_plural = _("Vertretungen")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gt=models.F("valid_from")),
                name="core_vertretung_period_positive",
            ),
            models.CheckConstraint(
                condition=~models.Q(vertretene_person=models.F("vertretung")),
                name="core_vertretung_not_self",
            ),
        ]
        indexes = [models.Index(fields=["vertretung", "valid_from", "valid_until"])]
