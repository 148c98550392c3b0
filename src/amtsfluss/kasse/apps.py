from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KasseConfig(AppConfig):
    name = "amtsfluss.kasse"
    label = "kasse"
    verbose_name = _("Fees and payment")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from amtsfluss.kasse import permissions  # noqa: F401 (policies)
