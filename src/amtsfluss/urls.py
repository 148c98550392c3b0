from django.urls import include, path

from amtsfluss.api.urls import api
from amtsfluss.web import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("intern/rechnungen/", include("amtsfluss.rechnung.urls")),
    path("intern/suche/", include("amtsfluss.suche.urls")),
    path("intern/posteingang/", include("amtsfluss.posteingang.urls")),  # below the inbox
    path("intern/postfach/", include("amtsfluss.postfach.urls")),
    path("intern/bescheide/", include("amtsfluss.bescheid.urls")),
    path("intern/antraege/", include("amtsfluss.dienste.urls_intern")),
    path("intern/kasse/", include("amtsfluss.kasse.urls")),
    path("intern/", include("amtsfluss.akte.urls")),
    path("dienste/", include("amtsfluss.dienste.urls")),
    path("zahlung/", include("amtsfluss.kasse.urls_zahlung")),
    path("konto/", include("amtsfluss.konto.urls")),
    path("postfach/", include("amtsfluss.postfach.urls_buerger")),
    path("", include("amtsfluss.web.urls")),
]
