from django.urls import path

from amtsfluss.dienste.views import antrag, katalog, status

app_name = "dienste"

urlpatterns = [
    path("", katalog.katalog, name="katalog"),
    path("status/<str:token>/", status.status, name="status"),
    path(
        "status/<str:token>/eingangsbestaetigung.pdf",
        status.eingangsbestaetigung,
        name="eingangsbestaetigung",
    ),
    path("status/<str:token>/bezahlen/", status.bezahlen, name="bezahlen"),
    path("<str:leika>/", katalog.leistung_detail, name="leistung"),
    path("<str:leika>/antrag/", antrag.antrag_start, name="antrag-start"),
    path("entwurf/<str:token>/zusammenfassung/", antrag.zusammenfassung, name="zusammenfassung"),
    path("entwurf/<str:token>/<int:schritt>/", antrag.schritt, name="schritt"),
    path("entwurf/<str:token>/einreichen/", status.einreichen, name="einreichen"),
]
