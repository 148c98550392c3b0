from django.urls import path

from amtsfluss.web.views import auth, pages

app_name = "web"

urlpatterns = [
    path("", pages.home, name="home"),
    path("anmelden/", auth.login_view, name="login"),
    path("anmelden/mfa/", auth.mfa_view, name="mfa"),
    path("abmelden/", auth.logout_view, name="logout"),
    path("intern/", pages.staff_home, name="staff-home"),
]
