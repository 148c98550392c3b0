from django.apps import AppConfig


class RechnungConfig(AppConfig):
    name = "amtsfluss.rechnung"
    label = "rechnung"
    verbose_name = "E-Rechnung"
