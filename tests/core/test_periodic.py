"""Periodic jobs: enqueued once per period, by one worker only, and run by the worker."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from amtsfluss.core import periodic
from amtsfluss.core.management.commands.worker import Heartbeat
from amtsfluss.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def enqueued_names() -> list[str]:
    return sorted(row.task_path.rsplit(".", 1)[-1] for row in DBTaskResult.objects.all())


def test_jobs_of_every_app_are_registered() -> None:
    import amtsfluss.akte.tasks
    import amtsfluss.core.tasks  # noqa: F401

    names = {job.name for job in periodic.jobs()}
    assert {"core.verify_audit_chain", "akte.notify_due_wiedervorlagen"} <= names


def test_enqueued_once_per_period() -> None:
    import amtsfluss.core.tasks  # noqa: F401

    now = timezone.now()
    first = periodic.enqueue_due(now)
    assert "core.verify_audit_chain" in first
    assert "core.verify_audit_chain" not in periodic.enqueue_due(now + timedelta(hours=23))
    assert "core.verify_audit_chain" in periodic.enqueue_due(now + timedelta(days=1))
    assert enqueued_names().count("verify_audit_chain") == 2


@pytest.mark.django_db(transaction=True)
def test_many_workers_enqueue_each_run_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent claims are proven on PostgreSQL; SQLite serialises writers")
    import amtsfluss.core.tasks  # noqa: F401

    now = timezone.now()
    barrier = threading.Barrier(6)
    results: list[list[str]] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(periodic.enqueue_due(now))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claims = [names.count("core.verify_audit_chain") for names in results]
    assert sum(claims) == 1
    assert enqueued_names().count("verify_audit_chain") == 1


@pytest.mark.django_db(transaction=True)
@override_settings(AMTSFLUSS_PERIODIC_JOBS=True, AMTSFLUSS_WORKER_HEARTBEAT_SECONDS=3600)
def test_the_heartbeat_enqueues_and_the_worker_runs_them() -> None:
    from django.core.management import call_command

    heartbeat = Heartbeat("test-worker")
    heartbeat.stopped.set()  # one loop: beat, enqueue due jobs, stop
    heartbeat.start()  # its own thread and connection, as in the worker
    heartbeat.join()
    assert "verify_audit_chain" in enqueued_names()
    call_command("worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)
    assert AuditEvent.objects.filter(action="audit.verify", outcome="success").exists()
