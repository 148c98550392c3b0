"""Periodic background jobs, enqueued by whichever worker gets there first.

Apps register jobs in their ``tasks`` module::

    periodic.register("akte.notify_due_wiedervorlagen", notify_due_wiedervorlagen, every=...)

Every worker calls :func:`enqueue_due` with its heartbeat. A job's row is claimed with one
conditional UPDATE (``last_enqueued_at <= now - every``), which succeeds for exactly one worker
per period on SQLite and PostgreSQL alike; the job itself then runs once, like any task.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.tasks import Task
from django.utils import timezone

from amtsfluss.core.models import PeriodicRun


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: Task[Any, Any]
    every: timedelta


_JOBS: dict[str, PeriodicJob] = {}
_EPOCH = datetime(2000, 1, 1, tzinfo=timezone.get_fixed_timezone(0))


def register(name: str, task: Task[Any, Any], *, every: timedelta) -> None:
    _JOBS[name] = PeriodicJob(name=name, task=task, every=every)


def jobs() -> list[PeriodicJob]:
    return sorted(_JOBS.values(), key=lambda job: job.name)


def enqueue_due(now: datetime | None = None) -> list[str]:
    """Enqueue every job whose period has passed; return the names enqueued by this call."""
    now = now or timezone.now()
    enqueued = []
    for job in jobs():
        try:
            with transaction.atomic():
                PeriodicRun.objects.get_or_create(
                    name=job.name, defaults={"last_enqueued_at": _EPOCH}
                )
        except IntegrityError:
            pass  # created by another worker at the same moment
        with transaction.atomic():
            claimed = PeriodicRun.objects.filter(
                name=job.name, last_enqueued_at__lte=now - job.every
            ).update(last_enqueued_at=now)
            if claimed:
                job.task.enqueue()
                enqueued.append(job.name)
    return enqueued
