"""The search engines behind ``suche``: tantivy (embedded) and PostgreSQL full text."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from amtsfluss.suche.backends.base import Backend

BACKENDS = ("tantivy", "postgres")


def backend_name() -> str:
    name = settings.SEARCH_BACKEND
    if name not in BACKENDS:
        raise ImproperlyConfigured(f"AMTSFLUSS_SEARCH_BACKEND must be one of {BACKENDS}")
    if name == "postgres" and connection.vendor != "postgresql":
        raise ImproperlyConfigured("The postgres search backend needs a PostgreSQL database.")
    return name


def get_backend() -> Backend:
    if backend_name() == "postgres":
        from amtsfluss.suche.backends.postgres import PostgresBackend

        return PostgresBackend()
    from amtsfluss.suche.backends.tantivy_index import TantivyBackend

    return TantivyBackend()
