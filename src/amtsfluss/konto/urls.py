from django.urls import path

from amtsfluss.konto import views

app_name = "konto"

urlpatterns = [
    path("", views.profil, name="profil"),
    path("registrieren/", views.registrieren, name="registrieren"),
    path("registrieren/gesendet/", views.registriert, name="registriert"),
    path("bestaetigen/<str:token>/", views.bestaetigen, name="bestaetigen"),
    path("anmelden/", views.anmelden, name="anmelden"),
    path("abmelden/", views.abmelden, name="abmelden"),
    path("passwort/", views.passwort_vergessen, name="passwort-vergessen"),
    path("passwort/gesendet/", views.passwort_gesendet, name="passwort-gesendet"),
    path("passwort/<str:token>/", views.passwort_neu, name="passwort-neu"),
]
