"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from amtsfluss.core.blobs import get_blob_store
from amtsfluss.core.models import WorkerHeartbeat

logger = logging.getLogger("amtsfluss.health")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers. Nothing else is checked."""
    return JsonResponse({"status": "ok"})


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_storage() -> str:
    get_blob_store().check()
    return "ok"


def _check_worker() -> str:
    fresh = timezone.now() - timedelta(seconds=settings.AMTSFLUSS_WORKER_STALE_SECONDS)
    if WorkerHeartbeat.objects.filter(last_seen__gte=fresh).exists():
        return "ok"
    raise RuntimeError("no worker heartbeat")


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready to serve: database, blob storage and at least one live background worker."""
    checks: dict[str, str] = {}
    for name, check in (
        ("database", _check_database),
        ("storage", _check_storage),
        ("worker", _check_worker),
    ):
        try:
            checks[name] = check()
        except Exception as exc:  # a readiness probe reports every failure, whatever its kind
            # the probe is reachable without login: name the failure, log the details
            logger.warning("readiness check %s failed", name, exc_info=exc)
            checks[name] = f"error: {exc.__class__.__name__}"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )


PROBES: dict[str, Callable[[HttpRequest], HttpResponse]] = {"/healthz": healthz, "/readyz": readyz}


class HealthProbeMiddleware:
    """Answers ``/healthz`` and ``/readyz`` before host validation and the HTTPS redirect.

    Load balancers probe a backend by its address over plain HTTP (``http://10.0.0.5:8000/readyz``):
    a host ALLOWED_HOSTS rightly does not list, on a scheme SECURE_SSL_REDIRECT would redirect.
    The probes need no host, session or Mandant. First entry of MIDDLEWARE.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is not None:
            return probe(request)
        return self.get_response(request)
