from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.core.models.mandant import Mandant


class User(AbstractUser):
    """A staff member of one Mandant, or a platform operator of the IT provider (no Mandant)."""

    mandant = models.ForeignKey(
        Mandant, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    is_platform_operator = models.BooleanField(
        _("Plattformbetrieb"),
        default=False,
        help_text=_("Staff of the IT provider: creates and manages Mandanten, sees no case data."),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("Benutzer:in")  # type: ignore[assignment]
        verbose_name_plural = _("Benutzer:innen")  # type: ignore[assignment]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(is_platform_operator=True, mandant__isnull=True)
                    | models.Q(is_platform_operator=False, mandant__isnull=False)
                ),
                name="core_user_operator_xor_mandant",
            )
        ]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
