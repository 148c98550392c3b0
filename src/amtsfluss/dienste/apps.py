from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiensteConfig(AppConfig):
    name = "amtsfluss.dienste"
    label = "dienste"
    verbose_name = _("Online services")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from amtsfluss.dienste import permissions, tasks  # noqa: F401 (policies, periodic jobs)
