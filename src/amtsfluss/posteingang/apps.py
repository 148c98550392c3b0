from django.apps import AppConfig


class PosteingangConfig(AppConfig):
    name = "amtsfluss.posteingang"
    label = "posteingang"
    verbose_name = "Posteingang"
    #: imported by ``amtsfluss worker`` at start (``worker_preload``): the classification's
    #: scikit-learn takes a second to import — paid by the worker once, not by its first task,
    #: and never by the processes that only hand files in
    worker_preload = ("amtsfluss.posteingang.services.klassifikation",)

    def ready(self) -> None:
        import amtsfluss.posteingang.intake  # noqa: F401 — registers the intake handler
        from amtsfluss.posteingang import permissions  # noqa: F401 — registers the policies
