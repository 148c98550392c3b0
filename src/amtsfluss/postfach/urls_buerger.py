"""The applicant's Postfach actions, mounted under ``/postfach/`` (``amtsfluss/urls.py``);
every one resolves the status token first."""

from django.urls import path

from amtsfluss.postfach.views import buerger

app_name = "postfach-buerger"

urlpatterns = [
    path("<str:token>/", buerger.postfach, name="postfach"),
    path("<str:token>/antwort/", buerger.antwort, name="antwort"),
    path("<str:token>/dokumente/<int:pk>/", buerger.dokument, name="dokument"),
]
