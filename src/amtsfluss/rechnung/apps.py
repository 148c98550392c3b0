from django.apps import AppConfig


class RechnungConfig(AppConfig):
    name = "amtsfluss.rechnung"
    label = "rechnung"
    verbose_name = "E-Rechnung"

    def ready(self) -> None:
        import amtsfluss.rechnung.intake  # noqa: F401 — registers the intake handler
        from amtsfluss.rechnung import permissions  # noqa: F401 — registers the policies
