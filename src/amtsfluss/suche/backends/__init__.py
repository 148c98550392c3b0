"""The search engines behind ``suche``: tantivy (embedded), the same tantivy index served by
``amtsfluss searchd`` to several machines, and PostgreSQL full text."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from amtsfluss.suche.backends.base import Backend

BACKENDS = ("tantivy", "served", "postgres")
#: the shared token: long enough that guessing it is hopeless
MIN_TOKEN_CHARS = 32


def backend_name() -> str:
    name = settings.SEARCH_BACKEND
    if name not in BACKENDS:
        raise ImproperlyConfigured(f"AMTSFLUSS_SEARCH_BACKEND must be one of {BACKENDS}")
    if name == "postgres" and connection.vendor != "postgresql":
        raise ImproperlyConfigured("The postgres search backend needs a PostgreSQL database.")
    if name == "served" and not settings.SEARCH_URL.startswith(("http://", "https://")):
        raise ImproperlyConfigured("The served search backend needs AMTSFLUSS_SEARCH_URL.")
    if name == "served" and len(settings.SEARCH_TOKEN) < MIN_TOKEN_CHARS:
        raise ImproperlyConfigured(
            f"The served search backend needs AMTSFLUSS_SEARCH_TOKEN ({MIN_TOKEN_CHARS}+ chars)."
        )
    return name


def get_backend() -> Backend:
    name = backend_name()
    if name == "postgres":
        from amtsfluss.suche.backends.postgres import PostgresBackend

        return PostgresBackend()
    if name == "served":
        from amtsfluss.suche.backends.served import ServedBackend

        return ServedBackend()
    from amtsfluss.suche.backends.tantivy_index import TantivyBackend

    return TantivyBackend()
