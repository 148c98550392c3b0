"""An IMAP mailbox against a real Dovecot: handled once, moved after the commit, retried."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from amtsfluss.core.intake.runner import run_channel
from amtsfluss.core.models import AuditEvent, IntakeChannel, IntakeRecord
from tests.intake.conftest import Place, Recorder, mail, mailbox_channel
from tests.intake.dovecot import Dovecot


def test_new_mails_are_handled_once_with_provenance_and_moved(
    place: Place, dovecot: Dovecot, recorder: Recorder
) -> None:
    dovecot.append(mail("Rechnung 1", attachments=(("r1.xml", b"<Invoice/>", "application/xml"),)))
    dovecot.append(mail("Rechnung 2", message_id="<zwei@feder-tinte.example>"))
    channel = mailbox_channel(place, dovecot)

    report = run_channel(channel.pk)

    assert report is not None and (report.done, report.moved) == (2, 2)
    first, second = recorder.items
    assert first.source == "mail" and first.mandant == place.mandant and first.unit == place.unit
    assert first.provenance["subject"] == "Rechnung 1"
    assert first.provenance["from"] == "Feder & Tinte <rechnung@feder-tinte.example>"
    assert first.provenance["mailbox"] == "intake@127.0.0.1/INBOX"
    assert first.provenance["uid"].isdigit() and first.provenance["received_at"]
    assert "anbei die Rechnung" in first.body_text
    assert [(a.filename, a.content_type, a.data) for a in first.attachments] == [
        ("r1.xml", "application/xml", b"<Invoice/>")
    ]
    assert second.provenance["message_id"] == "<zwei@feder-tinte.example>"
    assert dovecot.messages("INBOX") == []
    assert len(dovecot.messages("Verarbeitet")) == 2
    assert set(IntakeRecord.objects.values_list("state", "result")) == {
        ("done", "item 1"),
        ("done", "item 2"),
    }

    dovecot.append(mail("Rechnung 2", message_id="<zwei@feder-tinte.example>"))  # sent again
    report = run_channel(channel.pk)
    assert report is not None and (report.done, report.moved) == (0, 1)
    assert len(recorder.items) == 2  # the same Message-ID is never handled twice


def test_crash_after_commit_before_move_is_not_handled_again(
    place: Place, dovecot: Dovecot, recorder: Recorder
) -> None:
    dovecot.append(mail("Rechnung 3"))
    channel = mailbox_channel(place, dovecot)
    # right after the handler, someone deletes the processed folder: the move fails
    recorder.after.append(lambda: dovecot.delete_folder("Verarbeitet"))

    assert run_channel(channel.pk) is None  # the move failed: a failure of the channel
    record = IntakeRecord.objects.get()
    assert record.state == "done" and record.moved_at is None  # committed, not moved
    channel.refresh_from_db()
    assert channel.consecutive_failures == 1 and channel.last_error

    recorder.after.clear()
    assert len(dovecot.messages("INBOX")) == 1  # still there
    report = run_channel(channel.pk)
    assert report is not None and (report.done, report.moved) == (0, 1)
    assert len(recorder.items) == 1  # handled once only
    assert dovecot.messages("INBOX") == [] and len(dovecot.messages("Verarbeitet")) == 1
    channel.refresh_from_db()
    assert channel.consecutive_failures == 0 and channel.last_error == ""


def test_a_failing_handler_keeps_the_mail_rolls_back_and_does_not_block_others(
    place: Place, dovecot: Dovecot, recorder: Recorder
) -> None:
    dovecot.append(mail("kaputt 1"))
    dovecot.append(mail("Rechnung 5"))
    dovecot.append(mail("bitte abweisen"))
    channel = mailbox_channel(place, dovecot)

    report = run_channel(channel.pk)

    assert report is not None and (report.done, report.failed, report.refused) == (1, 1, 1)
    assert [item.provenance["subject"] for item in recorder.items] == ["Rechnung 5"]
    failed = IntakeRecord.objects.get(state="failed")
    assert failed.reason == "RuntimeError: handler broke on kaputt 1"
    assert failed.next_attempt_at is not None and failed.next_attempt_at > timezone.now()
    refused = IntakeRecord.objects.get(state="refused")
    assert refused.reason == "not wanted: bitte abweisen"
    # the failed handler's audit event was rolled back with it; the refusal is audited
    assert AuditEvent.objects.filter(action="test.intake.handled").count() == 1
    assert AuditEvent.objects.filter(action="intake.item.handle", outcome="failure").count() == 1
    inbox = [raw for _, raw in dovecot.messages("INBOX")]
    assert len(inbox) == 2 and any(b"kaputt 1" in raw for raw in inbox)

    report = run_channel(channel.pk)  # not yet due: nothing is tried
    assert report is not None and (report.skipped, report.failed) == (2, 0)

    recorder.fail_on = ""  # repaired; and the retry time has come
    IntakeRecord.objects.filter(pk=failed.pk).update(next_attempt_at=timezone.now())
    report = run_channel(channel.pk)
    assert report is not None and (report.done, report.moved) == (1, 1)
    failed.refresh_from_db()
    assert failed.state == "done" and failed.attempts == 2 and failed.reason == ""
    assert len(dovecot.messages("INBOX")) == 1  # the refused one stays, not retried


def test_without_processed_folder_mails_stay_flagged(
    place: Place, dovecot: Dovecot, recorder: Recorder
) -> None:
    dovecot.append(mail("Rechnung 6"))
    channel = mailbox_channel(place, dovecot, processed_folder="")

    report = run_channel(channel.pk)
    assert report is not None and report.done == 1
    [(flags, _)] = dovecot.messages("INBOX")
    assert b"$AmtsflussDone" in flags and b"\\Seen" in flags
    IntakeRecord.objects.all().delete()  # even without the records, a flagged mail is done
    report = run_channel(channel.pk)
    assert report is not None and report.done == 0 and len(recorder.items) == 1


def test_an_unreachable_mailbox_backs_off(
    place: Place, dovecot: Dovecot, recorder: Recorder
) -> None:
    channel = mailbox_channel(place, dovecot, port=1)  # nothing listens there
    assert run_channel(channel.pk) is None
    assert run_channel(channel.pk) is None
    channel.refresh_from_db()
    assert channel.consecutive_failures == 2
    assert "Cannot connect to the mailbox" in channel.last_error
    assert channel.next_poll_at is not None
    assert channel.next_poll_at > timezone.now() + timedelta(seconds=90)  # 2 minutes


def test_a_wrong_password_is_a_channel_failure(
    place: Place, dovecot: Dovecot, recorder: Recorder
) -> None:
    channel = mailbox_channel(place, dovecot, password="falsch")
    assert run_channel(channel.pk) is None
    channel.refresh_from_db()
    assert channel.consecutive_failures == 1 and "AUTHENTICATIONFAILED" in channel.last_error
    assert "falsch" not in channel.last_error


def test_tls_is_verified_by_default(
    place: Place,
    tls_dovecot: Dovecot,
    recorder: Recorder,
    tls_files: dict,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tls_dovecot.append(mail("Rechnung über TLS"))
    channel = mailbox_channel(place, tls_dovecot, tls="implicit", port=tls_dovecot.tls_port)

    assert run_channel(channel.pk) is None  # a certificate of an unknown CA is refused
    channel.refresh_from_db()
    assert "CERTIFICATE_VERIFY_FAILED" in channel.last_error

    monkeypatch.setenv("SSL_CERT_FILE", str(tls_files["ca"]))  # the operator trusts the CA
    IntakeChannel.objects.filter(pk=channel.pk).update(next_poll_at=None)
    report = run_channel(channel.pk)
    assert report is not None and report.done == 1
    assert recorder.items[0].provenance["subject"] == "Rechnung über TLS"

    starttls = mailbox_channel(
        place, tls_dovecot, name="post-starttls", tls="starttls", port=tls_dovecot.port
    )
    tls_dovecot.append(mail("Rechnung mit STARTTLS"))
    report = run_channel(starttls.pk)
    assert report is not None and report.done == 1
