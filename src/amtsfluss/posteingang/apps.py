from django.apps import AppConfig


class PosteingangConfig(AppConfig):
    name = "amtsfluss.posteingang"
    label = "posteingang"
    verbose_name = "Posteingang"

    def ready(self) -> None:
        import amtsfluss.posteingang.intake  # noqa: F401 — registers the intake handler
        from amtsfluss.posteingang import permissions  # noqa: F401 — registers the policies
