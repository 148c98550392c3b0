from __future__ import annotations

from django.db import models


class LoginFailure(models.Model):
    """A failed login, kept for throttling (shared by every web machine through the database)."""

    username = models.CharField(max_length=150)
    client_address = models.CharField(max_length=64)
    occurred_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["username", "occurred_at"]),
            models.Index(fields=["client_address", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.client_address} at {self.occurred_at}"
