"""The E-Akte staff pages, mounted under ``/intern/`` (``amtsfluss/urls.py``)."""

from django.urls import path

from amtsfluss.akte.views import akten, aktenplan, files, inbox, vorgaenge

app_name = "akte"

urlpatterns = [
    path("posteingang/", inbox.posteingang, name="posteingang"),
    path(
        "wiedervorlagen/<int:pk>/erledigt/",
        inbox.wiedervorlage_erledigt,
        name="wiedervorlage-erledigt",
    ),
    # Aktenplan
    path("aktenplan/", aktenplan.aktenplan, name="aktenplan"),
    path("aktenplan/<int:pk>/neue-akte/", aktenplan.akte_create, name="akte-create"),
    # Akten
    path("akten/", akten.akten, name="akten"),
    path("akten/<int:pk>/", akten.akte, name="akte"),
    path("akten/<int:pk>/vorgaenge/neu/", akten.vorgang_neu, name="akte-vorgang-neu"),
    path(
        "akten/<int:pk>/wiedervorlagen/neu/",
        akten.wiedervorlage_neu,
        name="akte-wiedervorlage-neu",
    ),
    path("akten/<int:pk>/zda/", akten.zda, name="akte-zda"),
    path("akten/<int:pk>/wieder-oeffnen/", akten.wieder_oeffnen, name="akte-wieder-oeffnen"),
    path("akten/<int:pk>/umprotokollieren/", akten.umprotokollieren, name="akte-umprotokollieren"),
    path("akten/<int:pk>/beteiligungen/neu/", akten.beteiligung_neu, name="akte-beteiligung-neu"),
    path(
        "akten/<int:pk>/beteiligungen/<int:beteiligung>/entziehen/",
        akten.beteiligung_entziehen,
        name="akte-beteiligung-entziehen",
    ),
    # Vorgänge
    path("vorgaenge/<int:pk>/", vorgaenge.vorgang, name="vorgang"),
    path("vorgaenge/<int:pk>/bearbeiten/", vorgaenge.vorgang_bearbeiten, name="vorgang-bearbeiten"),
    path(
        "vorgaenge/<int:pk>/verschieben/",
        vorgaenge.vorgang_verschieben,
        name="vorgang-verschieben",
    ),
    path(
        "vorgaenge/<int:pk>/wiedervorlagen/neu/",
        vorgaenge.wiedervorlage_neu,
        name="vorgang-wiedervorlage-neu",
    ),
    path("vorgaenge/<int:pk>/dokumente/neu/", vorgaenge.dokument_neu, name="dokument-neu"),
    # Dokumente and their versions
    path("dokumente/<int:pk>/versionen/neu/", vorgaenge.version_neu, name="version-neu"),
    path(
        "dokumente/<int:pk>/verschieben/",
        vorgaenge.dokument_verschieben,
        name="dokument-verschieben",
    ),
    path("dokumentversionen/<int:pk>/download", files.download, name="download"),
    path("dokumentversionen/<int:pk>/ansicht", files.ansicht, name="ansicht"),
]
