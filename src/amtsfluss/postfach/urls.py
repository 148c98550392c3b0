"""Staff Postfach pages, mounted under ``/intern/postfach/`` (``amtsfluss/urls.py``)."""

from django.urls import path

from amtsfluss.postfach.views import staff

app_name = "postfach"

urlpatterns = [
    path("", staff.ungelesen, name="ungelesen"),
    path("vorgaenge/<int:pk>/", staff.vorgang_postfach, name="vorgang"),
    path("vorgaenge/<int:pk>/rueckfrage/", staff.rueckfrage, name="rueckfrage"),
]
