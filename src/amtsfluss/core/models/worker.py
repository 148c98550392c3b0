from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """Written by every running background worker; ``/readyz`` looks for a fresh one."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=253)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.hostname} (pid {self.pid})"
