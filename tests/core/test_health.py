"""``/healthz`` (liveness) and ``/readyz`` (database, blob storage, search, a live worker); the
search check per backend is in ``tests/suche/test_readiness.py``."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone

from amtsfluss.core.models import Mandant, WorkerHeartbeat
from amtsfluss.core.services.mandant import mandant_create, mandant_update

pytestmark = pytest.mark.django_db


def get(path: str, host: str = "localhost") -> Any:
    return Client(HTTP_HOST=host).get(path)


def beat(age: timedelta = timedelta(0), worker_id: str = "w1") -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id=worker_id, hostname="app1", pid=4711, started_at=now - age, last_seen=now - age
    )


def blob_settings(directory: Path) -> dict[str, str]:
    return {**settings.AMTSFLUSS_BLOBS, "BACKEND": "filesystem", "DIRECTORY": str(directory)}


@pytest.fixture
def mandanten() -> tuple[Mandant, Mandant]:
    a = mandant_create(slug="a", name="Stadt A", hosts=["a.test"], by=None)
    b = mandant_create(slug="b", name="Gemeinde B", hosts=["b.test"], by=None)
    mandant_update(mandant=b, name=b.name, is_active=False, hosts=["b.test"], by=None)
    return a, b


HOSTS = ["a.test", "b.test", "localhost", "127.0.0.1", "[::1]"]


@override_settings(ALLOWED_HOSTS=HOSTS)
@pytest.mark.parametrize(
    "host",
    [
        "a.test",  # a Mandant's host
        "b.test",  # the host of a deactivated Mandant
        "localhost",  # no Mandant, and no default Mandant
        "127.0.0.1",
        "[::1]",
    ],
)
def test_healthz_answers_ok_on_every_allowed_host(mandanten: object, host: str) -> None:
    response = get("/healthz", host)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_a_probe_by_ip_address_not_in_allowed_hosts() -> None:
    response = get("/healthz", "10.0.0.5:8000")
    assert response.status_code == 200


@override_settings(SECURE_SSL_REDIRECT=True)
def test_health_probes_over_plain_http_are_not_redirected() -> None:
    beat()
    assert get("/healthz").status_code == 200
    assert get("/readyz").status_code == 200


def test_readyz_is_unavailable_without_a_worker_heartbeat() -> None:
    response = get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["storage"] == "ok"
    assert body["checks"]["worker"] == "error: RuntimeError"  # details go to the log only


def test_readyz_is_ready_with_a_fresh_heartbeat() -> None:
    beat()

    response = get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "storage": "ok", "search": "ok", "worker": "ok"},
    }


def test_readyz_ignores_a_stale_heartbeat() -> None:
    beat(age=timedelta(seconds=settings.AMTSFLUSS_WORKER_STALE_SECONDS + 5))

    response = get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["worker"].startswith("error:")


@override_settings(ALLOWED_HOSTS=HOSTS)
def test_readyz_works_on_a_mandant_host_too(mandanten: object) -> None:
    beat()
    assert get("/readyz", "a.test").status_code == 200


def test_readyz_reports_a_blob_directory_that_cannot_be_created(tmp_path: Path) -> None:
    beat()
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the blob directory's parent should be")

    with override_settings(AMTSFLUSS_BLOBS=blob_settings(blocker / "blobs")):
        response = get("/readyz")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["storage"] == "error: BlobStoreUnavailable"  # no paths to anonymous callers
    assert (checks["database"], checks["worker"]) == ("ok", "ok")


@pytest.mark.skipif(
    os.geteuid() == 0,
    reason="root writes into a directory of mode 0555 anyway; the blocked-path test above "
    "covers the unwritable store for every user",
)
def test_readyz_reports_a_read_only_blob_directory(tmp_path: Path) -> None:
    beat()
    directory = tmp_path / "blobs"
    (directory / "incoming").mkdir(parents=True)
    (directory / "incoming").chmod(0o555)
    try:
        with override_settings(AMTSFLUSS_BLOBS=blob_settings(directory)):
            response = get("/readyz")
    finally:
        (directory / "incoming").chmod(0o755)

    assert response.status_code == 503
    assert response.json()["checks"]["storage"].startswith("error: BlobStoreUnavailable")


def test_readyz_recovers_when_the_store_is_usable_again(tmp_path: Path) -> None:
    beat()
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    with override_settings(AMTSFLUSS_BLOBS=blob_settings(blocker / "blobs")):
        assert get("/readyz").status_code == 503
    with override_settings(AMTSFLUSS_BLOBS=blob_settings(tmp_path / "blobs")):
        assert get("/readyz").status_code == 200
