"""The Kasse's staff pages, mounted under ``/intern/kasse/`` (``amtsfluss/urls.py``)."""

from django.urls import path

from amtsfluss.kasse.models import Zustand
from amtsfluss.kasse.views import kasse

app_name = "kasse"

urlpatterns = [
    path("", kasse.forderungen, name="forderungen"),
    path("kontoauszug/", kasse.kontoauszug, name="kontoauszug"),
    path("<int:pk>/", kasse.forderung, name="forderung"),
    path("<int:pk>/bezahlt/", kasse.markieren, {"nach": Zustand.BEZAHLT}, name="bezahlt"),
    path("<int:pk>/erstattet/", kasse.markieren, {"nach": Zustand.ERSTATTET}, name="erstattet"),
]
