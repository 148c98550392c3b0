from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def create_cache_table(*, using: str = "default", **kwargs: Any) -> None:
    """``migrate`` also creates the database cache table (rate limits, spent challenges) that
    ``settings.CACHES`` uses unless Redis is configured; a no-op when it exists."""
    call_command("createcachetable", database=using, verbosity=0)


class KontoConfig(AppConfig):
    name = "amtsfluss.konto"
    label = "konto"
    verbose_name = _("Citizen accounts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(create_cache_table, sender=self)
