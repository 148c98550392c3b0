"""The staff pages of the online applications, mounted under ``/intern/antraege/``."""

from django.urls import path

from amtsfluss.dienste.views import intern

app_name = "dienste-intern"

urlpatterns = [
    path("", intern.antraege, name="antraege"),
    path("<int:pk>/", intern.antrag, name="antrag"),
    path("<int:pk>/status/", intern.antrag_status, name="antrag-status"),
]
