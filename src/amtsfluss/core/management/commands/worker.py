"""``amtsfluss worker``: runs background tasks (django-tasks-db) and reports a heartbeat."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from datetime import timedelta
from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from amtsfluss.core import context, periodic
from amtsfluss.core.models import WorkerHeartbeat

logger = logging.getLogger("amtsfluss.worker")
_STOP_SIGNALS = [signal.SIGINT, signal.SIGTERM] + (
    [signal.SIGQUIT] if hasattr(signal, "SIGQUIT") else []
)


class Heartbeat(threading.Thread):
    """Writes ``WorkerHeartbeat`` every few seconds until stopped; removes it at the end."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name="amtsfluss-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.stopped = threading.Event()

    def beat(self) -> None:
        now = timezone.now()
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={"hostname": socket.gethostname(), "pid": os.getpid(), "last_seen": now},
            create_defaults={
                "hostname": socket.gethostname(),
                "pid": os.getpid(),
                "started_at": now,
                "last_seen": now,
            },
        )

    def prune(self) -> None:
        """Forget workers that have not been seen for a day (killed without a goodbye)."""
        WorkerHeartbeat.objects.filter(last_seen__lt=timezone.now() - timedelta(days=1)).delete()

    def run(self) -> None:
        try:
            while True:
                try:
                    close_old_connections()
                    self.beat()
                except Exception:  # a missed beat must not end the worker; readiness shows it
                    logger.exception("worker heartbeat failed")
                if settings.AMTSFLUSS_PERIODIC_JOBS:
                    try:
                        periodic.enqueue_due()
                    except Exception:  # the next beat tries again
                        logger.exception("enqueueing periodic jobs failed")
                if self.stopped.wait(settings.AMTSFLUSS_WORKER_HEARTBEAT_SECONDS):
                    break
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        finally:
            connection.close()


def preload_task_modules() -> None:
    """Import what the apps' tasks import on first use (an app's ``worker_preload``), so the
    worker pays for it at start rather than in the middle of its first task."""
    for config in apps.get_app_configs():
        for module in getattr(config, "worker_preload", ()):
            import_module(module)


class Command(DatabaseWorkerCommand):
    help = "Run background tasks from the database queue; several may run on several machines."

    def handle(self, *args: Any, **options: Any) -> None:
        # The database worker installs SIGINT/SIGTERM handlers for a graceful stop; put the
        # previous ones back when it returns (--batch, --max-tasks, or run in-process).
        previous = {sig: signal.getsignal(sig) for sig in _STOP_SIGNALS}
        autodiscover_modules("tasks")  # registers every app's tasks and periodic jobs
        preload_task_modules()
        heartbeat = Heartbeat(options["worker_id"])
        heartbeat.prune()
        heartbeat.beat()
        heartbeat.start()
        try:
            with context.use(context.RequestContext(channel="worker")):
                super().handle(*args, **options)
        finally:
            heartbeat.stopped.set()
            heartbeat.join(timeout=settings.AMTSFLUSS_WORKER_HEARTBEAT_SECONDS + 5)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
