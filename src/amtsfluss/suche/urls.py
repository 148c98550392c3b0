"""The search page, mounted under ``/intern/suche/`` (``amtsfluss/urls.py``)."""

from django.urls import path

from amtsfluss.suche import views

app_name = "suche"

urlpatterns = [path("", views.suche, name="suche")]
