from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SucheConfig(AppConfig):
    name = "amtsfluss.suche"
    label = "suche"
    verbose_name = _("Search")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from amtsfluss.suche import signals, tasks  # noqa: F401 (connects receivers, jobs)
