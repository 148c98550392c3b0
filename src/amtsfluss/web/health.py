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
from amtsfluss.suche.backends import get_backend

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


def _check_search() -> str:
    get_backend().check()
    return "ok"


#: what a web machine cannot serve without: one failing takes it out of the load balancer (503).
#: The search is only reported: a search machine that is down makes searches answer 503, but
#: must not take intake, the E-Akte and the citizens' services down with it on every machine.
REQUIRED = frozenset({"database", "storage", "worker"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready to serve: database, blob storage and at least one live background worker; the
    search engine (the served backend's search machine) is checked too, and a failure there
    answers 200 with the status ``degraded`` for monitoring."""
    checks: dict[str, str] = {}
    for name, check in (
        ("database", _check_database),
        ("storage", _check_storage),
        ("search", _check_search),
        ("worker", _check_worker),
    ):
        try:
            checks[name] = check()
        except Exception as exc:  # a readiness probe reports every failure, whatever its kind
            # the probe is reachable without login: name the failure, log the details
            logger.warning("readiness check %s failed", name, exc_info=exc)
            checks[name] = f"error: {exc.__class__.__name__}"
    failed = {name for name, value in checks.items() if value != "ok"}
    if failed & REQUIRED:
        status, code = "unavailable", 503
    else:
        status, code = ("degraded" if failed else "ok"), 200
    return JsonResponse({"status": status, "checks": checks}, status=code)


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
