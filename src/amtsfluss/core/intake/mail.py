"""Polling one IMAP mailbox: every new message through its handler once, then out of the way."""

from __future__ import annotations

import hashlib
import imaplib
from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _

from amtsfluss.core.intake import imap, records
from amtsfluss.core.intake.handlers import Refused
from amtsfluss.core.intake.items import IntakeItem, Limits
from amtsfluss.core.intake.mailparse import parse_mail
from amtsfluss.core.intake.report import RunReport
from amtsfluss.core.intake.secrets import unseal
from amtsfluss.core.models import IntakeChannel, IntakeRecord
from amtsfluss.core.models.intake import RecordState

MAX_KEY = 400


def poll_mailbox(channel: IntakeChannel, limits: Limits) -> RunReport:
    """Handle the new messages of ``channel``'s folder; raises ``imap.ImapError`` when the
    mailbox cannot be used (the run then counts as a failure of the channel)."""
    conn = imap.connect(
        host=channel.host,
        port=channel.port or 993,
        tls=channel.tls,
        username=channel.username,
        password=unseal(channel.password_sealed),
    )
    try:
        return _poll(conn, channel, limits)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise imap.ImapError(str(exc)) from exc
    finally:
        imap.close(conn)


def message_key(message_id: str) -> str | None:
    """The record key of a message: its Message-ID (hashed when very long)."""
    message_id = message_id.strip()
    if not message_id:
        return None
    if len(message_id) > MAX_KEY:
        return "mid-sha256:" + hashlib.sha256(message_id.encode()).hexdigest()
    return "mid:" + message_id


def _poll(conn: imaplib.IMAP4, channel: IntakeChannel, limits: Limits) -> RunReport:
    imap.refresh_capabilities(conn)
    if channel.processed_folder:
        imap.ensure_folder(conn, channel.processed_folder)
    validity = imap.select(conn, channel.mail_folder)
    criteria = ["UNDELETED"]
    if not channel.processed_folder:
        criteria += ["UNKEYWORD", imap.DONE_KEYWORD]
    report = RunReport()
    for uid in imap.search(conn, *criteria):
        if report.done + report.failed + report.refused >= limits.max_items_per_run:
            break
        _one(conn, channel, limits, report, validity, uid)
    return report


def _one(
    conn: imaplib.IMAP4,
    channel: IntakeChannel,
    limits: Limits,
    report: RunReport,
    validity: int,
    uid: int,
) -> None:
    record = records.find(channel, uid=(validity, uid))
    key = record.key if record is not None else None
    size = 0
    if record is None:
        meta = imap.meta(conn, uid)
        if meta is None:
            return  # expunged meanwhile
        size, key = meta.size, message_key(meta.message_id)
        record = records.find(channel, key=key) if key else None
    if record is not None and record.state == RecordState.DONE:
        _finish(conn, channel, uid, record, report)  # handled before, not yet moved (crash)
        return
    if not records.is_due(record, timezone.now()):
        report.skipped += 1
        return
    raw = None if size > limits.max_message_bytes else imap.fetch(conn, uid)
    if raw is None and size <= limits.max_message_bytes:
        return  # expunged meanwhile
    digest = hashlib.sha256(raw).hexdigest() if raw is not None else ""
    key = key or "sha256:" + digest
    record = records.handle(
        channel,
        key=key,
        build=_builder(channel, raw, uid, validity, limits),
        sha256=digest,
        uid=(validity, uid),
    )
    report.count(record.state)
    if record.state == RecordState.DONE:
        _finish(conn, channel, uid, record, report)


def _builder(
    channel: IntakeChannel, raw: bytes | None, uid: int, validity: int, limits: Limits
) -> Callable[[], IntakeItem]:
    def build() -> IntakeItem:
        if raw is None:
            raise Refused(
                _("The message is larger than %(limit)d bytes.")
                % {"limit": limits.max_message_bytes}
            )
        parsed = parse_mail(raw, limits)
        provenance = {
            "channel": channel.name,
            "mailbox": f"{channel.username}@{channel.host}/{channel.mail_folder}",
            "uid": str(uid),
            "uidvalidity": str(validity),
            "received_at": timezone.now().isoformat(),
            "sha256": hashlib.sha256(raw).hexdigest(),
            "size": str(len(raw)),
            "unit": channel.unit.code,
        } | {name.replace("-", "_"): value for name, value in parsed.headers.items()}
        return IntakeItem(
            channel=channel,
            source="mail",
            provenance=provenance,
            body_text=parsed.body_text,
            attachments=parsed.attachments,
        )

    return build


def _finish(
    conn: imaplib.IMAP4, channel: IntakeChannel, uid: int, record: IntakeRecord, report: RunReport
) -> None:
    """Move a handled message to the processed folder (or flag it): only after the commit."""
    if channel.processed_folder:
        imap.move(conn, uid, channel.processed_folder)
    else:
        imap.mark_done(conn, uid)
    records.mark_moved(record)
    report.moved += 1
