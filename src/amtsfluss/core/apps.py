from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "amtsfluss.core"
    label = "core"
    verbose_name = "amtsfluss core"

    def ready(self) -> None:
        from amtsfluss.core.permissions import policies  # noqa: F401  (registers policies)
