"""One item through its handler, exactly once: the record is written in the handler's transaction.

The item is marked ``done`` in the same transaction as whatever the handler wrote, so after a
crash either both are there or neither. The caller moves the message or file only after that
transaction has committed (``durable=True`` makes sure it is the outermost one); a crash before
the move leaves a ``done`` record, and the next run only moves it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsfluss.core import audit
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.intake.handlers import Refused, TryLater, handler_for
from amtsfluss.core.intake.items import IntakeItem
from amtsfluss.core.models import IntakeChannel, IntakeRecord
from amtsfluss.core.models.audit import Outcome
from amtsfluss.core.models.intake import RecordState

logger = logging.getLogger("amtsfluss.intake")
MAX_RETRY_DELAY = timedelta(hours=6)


def find(
    channel: IntakeChannel, *, key: str | None = None, uid: tuple[int, int] | None = None
) -> IntakeRecord | None:
    """The record of an item by its key, or by (UIDVALIDITY, UID) for a mail."""
    records = IntakeRecord.objects.filter(channel=channel)
    if key is not None:
        return records.filter(key=key).first()
    if uid is not None:
        return records.filter(uidvalidity=uid[0], uid=uid[1]).order_by("-pk").first()
    return None


def is_due(record: IntakeRecord | None, now: datetime) -> bool:
    """New items and failed items whose retry time has come are handled; done/refused are not."""
    if record is None:
        return True
    if record.state != RecordState.FAILED:
        return False
    return record.next_attempt_at is None or record.next_attempt_at <= now


def retry_delay(attempts: int) -> timedelta:
    return min(timedelta(minutes=1 << min(max(attempts - 1, 0), 10)), MAX_RETRY_DELAY)


def handle(
    channel: IntakeChannel,
    *,
    key: str,
    build: Callable[[], IntakeItem],
    label: str = "",
    sha256: str = "",
    uid: tuple[int, int] | None = None,
) -> IntakeRecord:
    """Build the item, give it to the channel's handler and record the outcome.

    ``build`` may raise :class:`Refused` (limits, unreadable input). A handler error is recorded
    as ``failed`` and retried later; it never stops the caller's loop.
    """
    fields: dict[str, object] = {"label": label[:300], "sha256": sha256}
    if uid is not None:
        fields |= {"uidvalidity": uid[0], "uid": uid[1]}
    try:
        with transaction.atomic(durable=True):
            item = build()
            fields["label"] = (label or item.label)[:300]
            handler = handler_for(channel.purpose)
            if handler is None:
                raise LookupError(
                    _("No handler is installed for the purpose %(purpose)s.")
                    % {"purpose": channel.purpose}
                )
            result = handler(item) or ""
            record = _save(channel, key, RecordState.DONE, fields | {"result": result[:500]})
            _audit(channel, record, Outcome.SUCCESS)
        return record
    except IntegrityError:  # recorded by another run at the same moment
        existing = find(channel, key=key)
        if existing is None:
            raise
        return existing
    except (Refused, ServiceError) as exc:
        reason = exc.reason if isinstance(exc, Refused) else exc.message
        with transaction.atomic():
            record = _save(channel, key, RecordState.REFUSED, fields | {"reason": reason})
            _audit(channel, record, Outcome.FAILURE)
        return record
    except TryLater as exc:
        logger.info("intake channel %s: %s later: %s", channel.pk, key, exc.reason)
        return _save(channel, key, RecordState.FAILED, fields | {"reason": exc.reason})
    except Exception as exc:  # any handler error: keep the item, retry later
        logger.exception("intake channel %s: handling %s failed", channel.pk, key)
        reason = f"{type(exc).__name__}: {exc}"[:2000]
        return _save(channel, key, RecordState.FAILED, fields | {"reason": reason})


def _save(channel: IntakeChannel, key: str, state: str, fields: dict[str, object]) -> IntakeRecord:
    now = timezone.now()
    record = IntakeRecord.objects.filter(channel=channel, key=key).first() or IntakeRecord(
        mandant_id=channel.mandant_id, channel=channel, key=key
    )
    for name, value in fields.items():
        setattr(record, name, value)
    record.state = state
    record.attempts += 1
    if state == RecordState.DONE:
        record.handled_at, record.reason, record.next_attempt_at = now, "", None
    elif state == RecordState.FAILED:
        record.next_attempt_at = now + retry_delay(record.attempts)
    else:
        record.next_attempt_at = None
    record.save()
    return record


def mark_moved(record: IntakeRecord) -> None:
    record.moved_at = timezone.now()
    IntakeRecord.objects.filter(pk=record.pk).update(moved_at=record.moved_at)


def _audit(channel: IntakeChannel, record: IntakeRecord, outcome: str) -> None:
    audit.record(
        mandant=channel.mandant,
        actor=None,
        action="intake.item.handle",
        object_type="core.intakerecord",
        object_id=str(record.pk),
        outcome=outcome,
        details={
            "channel": channel.name,
            "purpose": channel.purpose,
            "state": record.state,
            "sha256": record.sha256,
            "result": record.result,
            "reason": record.reason[:500],
        },
    )
