"""The Posteingang pages, mounted under ``/intern/posteingang/`` (``amtsfluss/urls.py``).

``/intern/posteingang/`` itself is the E-Akte's "My inbox" (open Vorgänge); the intake of
received files lives below it.
"""

from django.urls import path

from amtsfluss.posteingang.views import eingaenge, upload, vorschlag

app_name = "posteingang"

urlpatterns = [
    path("eingaenge/", eingaenge.eingaenge, name="eingaenge"),
    path("eingaenge/<int:pk>/wiederholen/", eingaenge.wiederholen, name="wiederholen"),
    path("eingaenge/<int:pk>/vorschlag/annehmen/", vorschlag.annehmen, name="annehmen"),
    path("eingaenge/<int:pk>/vorschlag/korrigieren/", vorschlag.korrigieren, name="korrigieren"),
    path("hochladen/", upload.hochladen, name="hochladen"),
    path("sendungen/<int:pk>/", upload.sendung, name="sendung"),
]
