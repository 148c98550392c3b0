from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.akte.models.akte import Akte
from amtsfluss.akte.models.vorgang import Vorgang
from amtsfluss.core.models import MandantScoped, Organisationseinheit


class Wiedervorlage(MandantScoped):
    """A dated reminder on a Vorgang or an Akte, for a person or a unit."""

    vorgang = models.ForeignKey(
        Vorgang, on_delete=models.CASCADE, null=True, blank=True, related_name="wiedervorlagen"
    )
    akte = models.ForeignKey(
        Akte, on_delete=models.CASCADE, null=True, blank=True, related_name="wiedervorlagen"
    )
    faellig_am = models.DateField(_("fällig am"))
    fuer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="wiedervorlagen",
    )
    fuer_oe = models.ForeignKey(
        Organisationseinheit, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    notiz = models.CharField(_("Notiz"), max_length=300, blank=True)
    erledigt_am = models.DateTimeField(null=True, blank=True)
    benachrichtigt_am = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Wiedervorlage")
        verbose_name_plural = _("Wiedervorlagen")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(vorgang__isnull=True, akte__isnull=False)
                | models.Q(vorgang__isnull=False, akte__isnull=True),
                name="akte_wv_vorgang_xor_akte",
            ),
            models.CheckConstraint(
                condition=models.Q(fuer_user__isnull=True, fuer_oe__isnull=False)
                | models.Q(fuer_user__isnull=False, fuer_oe__isnull=True),
                name="akte_wv_user_xor_oe",
            ),
        ]
        indexes = [
            models.Index(fields=["mandant", "faellig_am", "erledigt_am"]),
            models.Index(fields=["fuer_user", "faellig_am"]),
        ]

    def __str__(self) -> str:
        return f"WV {self.faellig_am}: {self.notiz}"
