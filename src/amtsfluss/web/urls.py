from django.urls import path

from amtsfluss.web.views import auth, pages, platform, vertretungen

app_name = "web"

urlpatterns = [
    # public
    path("", pages.home, name="home"),
    path("anmelden/", auth.login_view, name="login"),
    path("anmelden/mfa/", auth.mfa_view, name="mfa"),
    path("abmelden/", auth.logout_view, name="logout"),
    # staff of the Mandant
    path("intern/", pages.staff_home, name="staff-home"),
    path("intern/vertretungen/", vertretungen.vertretung_list, name="vertretungen"),
    path(
        "intern/vertretungen/<int:pk>/beenden/",
        vertretungen.vertretung_end_view,
        name="vertretung-end",
    ),
    # platform operator
    path("plattform/", platform.mandant_list, name="platform"),
    path("plattform/mandanten/neu/", platform.mandant_create_view, name="platform-mandant-create"),
    path(
        "plattform/mandanten/<int:pk>/",
        platform.mandant_edit_view,
        name="platform-mandant-edit",
    ),
]
