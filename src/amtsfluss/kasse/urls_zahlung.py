"""The public payment pages, mounted under ``/zahlung/`` (``amtsfluss/urls.py``)."""

from django.urls import path

from amtsfluss.kasse.views import zahlung

app_name = "zahlung"

urlpatterns = [
    path("benachrichtigung/", zahlung.benachrichtigung, name="benachrichtigung"),
    path("<str:token>/", zahlung.zahlung, name="seite"),
    path("<str:token>/online/", zahlung.online, name="online"),
    path("<str:token>/zurueck/", zahlung.zurueck, name="zurueck"),
]
