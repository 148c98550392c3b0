from django.urls import path

from amtsfluss.dienste.views import antrag, katalog

app_name = "dienste"

urlpatterns = [
    path("", katalog.katalog, name="katalog"),
    path("<str:leika>/", katalog.leistung_detail, name="leistung"),
    path("<str:leika>/antrag/", antrag.antrag_start, name="antrag-start"),
    path("entwurf/<str:token>/zusammenfassung/", antrag.zusammenfassung, name="zusammenfassung"),
    path("entwurf/<str:token>/<int:schritt>/", antrag.schritt, name="schritt"),
]
