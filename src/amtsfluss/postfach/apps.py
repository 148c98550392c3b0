from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostfachConfig(AppConfig):
    name = "amtsfluss.postfach"
    label = "postfach"
    verbose_name = _("Postfach")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from amtsfluss.postfach import permissions  # noqa: F401 (policies)
