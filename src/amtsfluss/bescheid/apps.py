from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BescheidConfig(AppConfig):
    name = "amtsfluss.bescheid"
    label = "bescheid"
    verbose_name = _("Bescheide")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from amtsfluss.bescheid import permissions  # noqa: F401 (policies)
