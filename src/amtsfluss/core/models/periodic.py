from __future__ import annotations

from django.db import models


class PeriodicRun(models.Model):
    """When a periodic job was last enqueued; claimed by a conditional UPDATE, so among many
    workers on many machines exactly one enqueues each run."""

    name = models.CharField(max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_enqueued_at}"
