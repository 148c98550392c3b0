"""Running channels: which are due, one run per channel at a time, backing off on failure."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from amtsfluss.core.intake.folder import FolderError, poll_folder
from amtsfluss.core.intake.imap import ImapError
from amtsfluss.core.intake.items import Limits
from amtsfluss.core.intake.mail import poll_mailbox
from amtsfluss.core.intake.report import RunReport
from amtsfluss.core.intake.secrets import SealError
from amtsfluss.core.models import IntakeChannel
from amtsfluss.core.models.intake import ChannelKind

logger = logging.getLogger("amtsfluss.intake")
POLL_EVERY = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=1)
LEASE = timedelta(minutes=15)


def backoff(failures: int) -> timedelta:
    """1, 2, 4 … minutes after consecutive failures, at most an hour."""
    minutes = 1 << min(max(failures - 1, 0), 10)
    return min(POLL_EVERY * minutes, MAX_BACKOFF)


def claim_due(now: datetime | None = None) -> list[int]:
    """Ids of the active channels due now, each claimed for this period by a conditional UPDATE
    (so two workers never enqueue the same channel for the same minute)."""
    now = now or timezone.now()
    due = Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
    candidates = IntakeChannel.objects.filter(due, is_active=True, mandant__is_active=True)
    claimed = []
    for channel_id in candidates.values_list("pk", flat=True):
        if IntakeChannel.objects.filter(due, pk=channel_id).update(next_poll_at=now + POLL_EVERY):
            claimed.append(channel_id)
    return claimed


def run_channel(channel_id: int, *, limits: Limits | None = None) -> RunReport | None:
    """One run of one channel; None when it is inactive or another run holds it.

    A failure of the channel itself (server unreachable, login refused, folder missing) is
    recorded on the channel and delays its next run; failures of single items are recorded on
    the items and do not count here.
    """
    now = timezone.now()
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    if not IntakeChannel.objects.filter(free, pk=channel_id, is_active=True).update(
        lease_until=now + LEASE, last_run_at=now
    ):
        return None
    channel = IntakeChannel.objects.select_related("mandant", "unit").get(pk=channel_id)
    try:
        poll = poll_mailbox if channel.kind == ChannelKind.MAILBOX else poll_folder
        report = poll(channel, limits or Limits())
    except (ImapError, FolderError, SealError, OSError) as exc:
        _failed(channel, str(exc) or type(exc).__name__)
        return None
    except Exception as exc:  # a bug: recorded on the channel as well, and the task fails
        _failed(channel, f"{type(exc).__name__}: {exc}")
        raise
    finally:
        IntakeChannel.objects.filter(pk=channel_id).update(lease_until=None)
    IntakeChannel.objects.filter(pk=channel_id).update(
        last_success_at=timezone.now(), consecutive_failures=0, last_error=""
    )
    return report


def _failed(channel: IntakeChannel, error: str) -> None:
    failures = channel.consecutive_failures + 1
    delay = backoff(failures)
    logger.warning(
        "intake channel %s (%s) failed %d time(s) in a row, next try in %s: %s",
        channel.name,
        channel.mandant.slug,
        failures,
        delay,
        error,
    )
    IntakeChannel.objects.filter(pk=channel.pk).update(
        consecutive_failures=failures,
        last_error=error[:2000],
        next_poll_at=timezone.now() + delay,
    )
