from django.apps import AppConfig


class AkteConfig(AppConfig):
    name = "amtsfluss.akte"
    label = "akte"
    verbose_name = "E-Akte"

    def ready(self) -> None:
        from amtsfluss.akte import permissions  # noqa: F401  (registers policies)
