"""The REST API under /api/v1/ (OpenAPI 3.1 at /api/v1/schema)."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="amtsfluss API",
    version="1",
    openapi_url="/schema",
    docs_url="/docs",
    urls_namespace="api",
)
