"""The Bescheid's staff pages, mounted under ``/intern/bescheide/`` (``amtsfluss/urls.py``)."""

from django.urls import path

from amtsfluss.bescheid.views import bescheid

app_name = "bescheid"

urlpatterns = [
    path("zur-schlusszeichnung/", bescheid.liste, name="liste"),
    path("vorgang/<int:pk>/", bescheid.vorgang_bescheide, name="vorgang"),
    path("<int:pk>/", bescheid.bescheid, name="bescheid"),
    path("<int:pk>/bearbeiten/", bescheid.bearbeiten, name="bearbeiten"),
    path("<int:pk>/schlusszeichnung-anfordern/", bescheid.anfordern, name="anfordern"),
    path("<int:pk>/zeichnen/", bescheid.zeichnen, name="zeichnen"),
    path("<int:pk>/zurueckgeben/", bescheid.zurueckgeben, name="zurueckgeben"),
    path("<int:pk>/vorschau.pdf", bescheid.vorschau, name="vorschau"),
    path("<int:pk>/download", bescheid.download, name="download"),
]
