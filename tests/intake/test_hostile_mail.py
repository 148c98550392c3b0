"""Hostile mail: bombs, huge attachments, evil file names, broken encodings — refused or
defused with a reason, and the next mail goes on."""

from __future__ import annotations

import time
from email.message import EmailMessage

import pytest

from amtsfluss.core.intake.handlers import Refused
from amtsfluss.core.intake.items import Limits
from amtsfluss.core.intake.mailparse import parse_mail
from amtsfluss.core.intake.runner import run_channel
from amtsfluss.core.models import IntakeRecord
from tests.intake.conftest import Place, Recorder, mail, mailbox_channel
from tests.intake.dovecot import Dovecot

LIMITS = Limits(max_attachment_bytes=1024 * 1024, max_file_bytes=1024 * 1024)


def many_parts(count: int) -> bytes:
    head = b"From: a@b.example\r\nSubject: bomb\r\nMIME-Version: 1.0\r\n"
    head += b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
    part = b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n"
    return head + part * count + b"--b--\r\n"


def nested(depth: int) -> bytes:
    raw = b"Content-Type: text/plain\r\n\r\ninnen\r\n"
    for level in range(depth):
        boundary = f"n{level}".encode()
        raw = (
            b'Content-Type: multipart/mixed; boundary="'
            + boundary
            + b'"\r\n\r\n--'
            + boundary
            + b"\r\n"
            + raw
            + b"\r\n--"
            + boundary
            + b"--\r\n"
        )
    return b"From: a@b.example\r\nSubject: tief\r\nMIME-Version: 1.0\r\n" + raw


def test_a_mail_bomb_with_thousands_of_parts_is_refused_before_parsing() -> None:
    raw = many_parts(100_000)  # 4 MB, well under the size limit
    started = time.monotonic()
    with pytest.raises(Refused, match="more than 200 parts"):
        parse_mail(raw, LIMITS)
    assert time.monotonic() - started < 2  # counted, not parsed


def test_parts_just_under_the_limit_are_read() -> None:
    parsed = parse_mail(many_parts(150), LIMITS)
    assert parsed.body_text.count("x") == 150


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(Refused, match="nested deeper than 8 levels"):
        parse_mail(nested(20), LIMITS)
    assert parse_mail(nested(5), LIMITS).body_text == "innen"
    with pytest.raises(Refused, match="more than 200 parts"):
        parse_mail(nested(5000), LIMITS)  # a recursion bomb never reaches the parser


def test_a_huge_attachment_is_refused() -> None:
    raw = mail(attachments=(("gross.pdf", b"%PDF-" + b"0" * (2 * 1024 * 1024), "application/pdf"),))
    with pytest.raises(Refused, match="An attachment is larger than 1048576 bytes"):
        parse_mail(raw, LIMITS)


def test_file_names_lose_paths_and_control_characters() -> None:
    names = [
        "..%2F..%2Fetc%2Fpass%07wd%0D%0A.xml",  # RFC 2231: any byte can be encoded
        "..%5C..%5Cboot.ini",
        "..",
        "re%E2%80%AEgnp.exe",  # a right-to-left override hides the real extension
        "%00",
    ]
    raw = b"Subject: Namen\r\nMIME-Version: 1.0\r\n"
    raw += b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
    raw += b"--b\r\nContent-Type: text/plain\r\n\r\nText\r\n"
    for name in names:
        raw += b"--b\r\nContent-Type: application/pdf\r\n"
        raw += (
            b"Content-Disposition: attachment; filename*=utf-8''" + name.encode() + b"\r\n\r\nx\r\n"
        )
    raw += b"--b--\r\n"
    got = [a.filename for a in parse_mail(raw, LIMITS).attachments]
    assert got == ["passwd.xml", "boot.ini", "anhang-3.pdf", "regnp.exe", "anhang-5.pdf"]


def test_invalid_encodings_and_headers_are_read_with_replacements() -> None:
    raw = (
        b"From: =?x-unknown?B?SGFsbG8=?= <<<@@>\r\n"
        b"To: \xff\xfe kaputt\r\n"
        b"Subject: =?utf-8?B?!!!kein base64?= \xe4rger \x1b[31m\r\n"
        b"Message-ID: <id@x>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="q"\r\n\r\n'
        b"--q\r\nContent-Type: text/plain; charset=x-klingon\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n!!notbase64\xff\r\n"
        b"--q\r\nContent-Type: application/pdf; name*=utf-8''%ZZ%2F..%2Fa.pdf\r\n"
        b"Content-Disposition: attachment; filename*=bogus''%FF%FE\r\n\r\nPDF\r\n"
        b"--q--\r\n"
    )
    parsed = parse_mail(raw, LIMITS)
    assert parsed.headers["message-id"] == "<id@x>"
    assert "\x1b" not in parsed.headers["subject"] and parsed.headers["subject"].isprintable()
    assert parsed.headers["to"].isprintable() and parsed.headers["from"].isprintable()
    assert len(parsed.attachments) == 1
    assert "/" not in parsed.attachments[0].filename and parsed.attachments[0].filename


def test_html_bodies_become_text_without_scripts() -> None:
    message = EmailMessage()
    message["Subject"] = "HTML"
    message.set_content(
        "<html><head><style>p{}</style><script>alert('x')</script></head><body>"
        "<p>Sehr geehrte&nbsp;Damen &amp; Herren,</p><p>Rechnung <b>4711</b></p>"
        "<img src='https://tracker.example/p.gif'></body></html>",
        subtype="html",
    )
    text = parse_mail(message.as_bytes(), LIMITS).body_text
    assert text == "Sehr geehrte Damen & Herren,\n\nRechnung 4711"


def test_an_oversized_mail_is_refused_unread_and_the_next_one_goes_on(
    place: Place, dovecot: Dovecot, recorder: Recorder
) -> None:
    dovecot.append(mail("gross", body="x" * 300_000))
    dovecot.append(many_parts(5000))
    dovecot.append(mail("Rechnung 9"))
    channel = mailbox_channel(place, dovecot)

    report = run_channel(channel.pk, limits=Limits(max_message_bytes=200_000))

    assert report is not None and (report.refused, report.done) == (2, 1)
    assert [i.provenance["subject"] for i in recorder.items] == ["Rechnung 9"]
    reasons = set(IntakeRecord.objects.filter(state="refused").values_list("reason", flat=True))
    assert reasons == {
        "The message is larger than 200000 bytes.",
        "The message has more than 200 parts.",
    }
    assert len(dovecot.messages("INBOX")) == 2  # kept for a person to look at
    report = run_channel(channel.pk, limits=Limits(max_message_bytes=200_000))
    assert report is not None and report.refused == 0 and report.skipped == 2  # not retried
