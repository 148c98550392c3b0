"""The REST API under /api/v1/ (OpenAPI 3.1 at /api/v1/schema, Swagger UI at /api/v1/docs).

Thin operations: declare input and output, build the ``Principal`` (``api.auth``), read through
``core.selectors`` (``permitted()``/``access()``) and write through ``core.services``. Whatever a
caller may not see answers 404; errors are ``{"detail": ...}`` (``api.errors``).
"""

from __future__ import annotations

from ninja import NinjaAPI

from amtsfluss.api.auth import TENANT_AUTH
from amtsfluss.api.endpoints import (
    akte_akten,
    akte_aktenplan,
    akte_dokumente,
    akte_vorgaenge,
    akte_wiedervorlagen,
    apikeys,
    audit_events,
    me,
    organisation,
    platform,
    posteingang,
    rechnung_eingangsbuch,
    rechnung_freigabe,
    rechnung_zahlungslauf,
    suche,
    vertretungen,
)
from amtsfluss.api.errors import install_exception_handlers

api = NinjaAPI(
    title="amtsfluss API",
    version="1",
    description=(
        "Authenticate with an API key (`Authorization: Bearer afk_…`) under the Mandant's host "
        "name, or with the staff session of the web login. Lists take `limit` and `offset` and "
        "return `count`; objects one may not see answer 404."
    ),
    openapi_url="/schema",
    docs_url="/docs",
    urls_namespace="api",
    auth=TENANT_AUTH,
)
install_exception_handlers(api)

for module in (me, organisation, vertretungen, audit_events, apikeys):
    api.add_router("", module.router)
# E-Akte
for akte_module in (
    akte_aktenplan,
    akte_akten,
    akte_vorgaenge,
    akte_dokumente,
    akte_wiedervorlagen,
):
    api.add_router("", akte_module.router)
# E-Rechnung
for rechnung_module in (rechnung_eingangsbuch, rechnung_freigabe, rechnung_zahlungslauf):
    api.add_router("", rechnung_module.router)
api.add_router("", posteingang.router)  # received files
api.add_router("", suche.router)  # full-text search
api.add_router("/platform", platform.router)
