from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "amtsfluss.web"
    label = "web"
    verbose_name = "amtsfluss pages"
