"""Intake channels (an IMAP mailbox, a watched folder) and what they have taken in.

See docs/design/intake.md. A channel belongs to a Mandant and an Organisationseinheit and has a
purpose (``rechnung``, ``posteingang``) that picks the handler its items go to. Every message or
file a channel handled, failed or refused is an ``IntakeRecord``: the key that makes intake
idempotent.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.core.models.mandant import MandantScoped
from amtsfluss.core.models.organisation import Organisationseinheit


class ChannelKind(models.TextChoices):
    MAILBOX = "mailbox", _("mailbox")
    FOLDER = "folder", _("watched folder")


class TlsMode(models.TextChoices):
    IMPLICIT = "implicit", _("TLS (IMAPS)")
    STARTTLS = "starttls", _("STARTTLS")
    NONE = "none", _("none (loopback only)")


class IntakeChannel(MandantScoped):
    """A mailbox or a folder polled by the worker; its items go to the handler of ``purpose``."""

    kind = models.CharField(_("kind"), max_length=10, choices=ChannelKind.choices)
    name = models.SlugField(_("name"), max_length=63)
    purpose = models.SlugField(_("purpose"), max_length=40)
    unit = models.ForeignKey(Organisationseinheit, on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # mailbox
    host = models.CharField(max_length=253, blank=True)
    port = models.PositiveIntegerField(null=True, blank=True)
    tls = models.CharField(max_length=10, choices=TlsMode.choices, blank=True)
    username = models.CharField(max_length=200, blank=True)
    #: sealed with a key derived from SECRET_KEY (core/intake/secrets.py); never shown
    password_sealed = models.TextField(blank=True, editable=False)
    mail_folder = models.CharField(max_length=200, blank=True)
    #: processed mails are moved here; empty: they stay and get the keyword $AmtsflussDone
    processed_folder = models.CharField(max_length=200, blank=True)

    # watched folder
    path = models.CharField(max_length=1000, blank=True)
    done_dir = models.CharField(max_length=100, blank=True)
    failed_dir = models.CharField(max_length=100, blank=True)

    # schedule and health
    next_poll_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("intake channel")
        verbose_name_plural = _("intake channels")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["mandant", "name"], name="core_intake_channel_name"),
        ]

    def __str__(self) -> str:
        return self.name


class RecordState(models.TextChoices):
    DONE = "done", _("processed")
    FAILED = "failed", _("failed (will be retried)")
    REFUSED = "refused", _("refused")


class IntakeRecord(MandantScoped):
    """One message or file of a channel: handled once (``done``), or why not.

    ``key`` is the Message-ID (or the SHA-256 of a message without one) or, for a file, its
    SHA-256 and name; unique per channel, so nothing is handled twice.
    """

    channel = models.ForeignKey(IntakeChannel, on_delete=models.CASCADE, related_name="records")
    key = models.CharField(max_length=500)
    state = models.CharField(max_length=10, choices=RecordState.choices)
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    uid = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    label = models.CharField(max_length=300, blank=True)
    reason = models.TextField(blank=True)
    result = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    moved_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "key"], name="core_intake_record_key"),
        ]
        indexes = [models.Index(fields=["channel", "uidvalidity", "uid"])]

    def __str__(self) -> str:
        return f"{self.channel_id}:{self.key} ({self.state})"
