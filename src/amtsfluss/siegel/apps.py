from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiegelConfig(AppConfig):
    name = "amtsfluss.siegel"
    label = "siegel"
    verbose_name = _("Electronic seal")
    default_auto_field = "django.db.models.BigAutoField"
