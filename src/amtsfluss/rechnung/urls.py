"""The E-Rechnung staff pages, mounted under ``/intern/rechnungen/`` (``amtsfluss/urls.py``)."""

from django.urls import path

from amtsfluss.rechnung.models import Schritt
from amtsfluss.rechnung.views import detail, eingangsbuch, files, upload, zahlungslauf

app_name = "rechnung"

urlpatterns = [
    path("", eingangsbuch.rechnungen, name="rechnungen"),
    path("hochladen/", upload.hochladen, name="hochladen"),
    path("<int:pk>/", detail.rechnung, name="rechnung"),
    # the approval: one URL per step (named after the step), rejection, routing
    *(
        path(
            f"<int:pk>/{step.replace('_', '-')}/",
            detail.bestaetigen,
            {"schritt": step},
            name=step,
        )
        for step in Schritt.values
    ),
    path("<int:pk>/zurueckweisen/", detail.zurueckweisen, name="zurueckweisen"),
    path("<int:pk>/zuordnen/", detail.zuordnen, name="zuordnen"),
    # files
    path("<int:pk>/original", files.original, name="original"),
    path("<int:pk>/lesbare-fassung.pdf", files.lesbare_fassung, name="lesbare-fassung"),
    path("<int:pk>/anhang", files.anhang, name="anhang"),
    # Zahlungslauf (Kasse)
    path("zahlungslaeufe/", zahlungslauf.zahlungslaeufe, name="zahlungslaeufe"),
    path("zahlungslaeufe/<int:pk>/", zahlungslauf.zahlungslauf, name="zahlungslauf"),
    path(
        "zahlungslaeufe/<int:pk>/pain001.xml",
        files.zahlungsdatei,
        {"art": "pain001"},
        name="pain001",
    ),
    path("zahlungslaeufe/<int:pk>/zahlungen.csv", files.zahlungsdatei, {"art": "csv"}, name="csv"),
]
