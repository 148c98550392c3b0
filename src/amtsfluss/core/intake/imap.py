"""A thin, strict layer over ``imaplib``: TLS verified by default, quoted mailbox names."""

from __future__ import annotations

import base64
import contextlib
import imaplib
import ipaddress
import re
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser

from django.utils.translation import gettext as _

from amtsfluss.core.intake.mailparse import header
from amtsfluss.core.models.intake import TlsMode

TIMEOUT_SECONDS = 60
DONE_KEYWORD = "$AmtsflussDone"
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
_UID = re.compile(rb"UID (\d+)")


class ImapError(Exception):
    """The mailbox cannot be used right now (connection, login, folder); ``str()`` says why."""


@dataclass(frozen=True)
class MessageMeta:
    uid: int
    size: int
    message_id: str


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def connect(*, host: str, port: int, tls: str, username: str, password: str) -> imaplib.IMAP4:
    """A logged-in connection; certificates and host names are verified (system trust store)."""
    if tls == TlsMode.NONE and not is_loopback(host):
        raise ImapError(_("An unencrypted connection is only allowed to the local machine."))
    context = ssl.create_default_context()
    try:
        conn: imaplib.IMAP4
        if tls == TlsMode.IMPLICIT:
            conn = imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=TIMEOUT_SECONDS)
        else:
            conn = imaplib.IMAP4(host, port, timeout=TIMEOUT_SECONDS)
            if tls == TlsMode.STARTTLS:
                conn.starttls(ssl_context=context)
        conn.login(username, password)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise ImapError(_("Cannot connect to the mailbox: %(error)s") % {"error": exc}) from exc
    return conn


def mailbox_name(name: str) -> str:
    """``name`` as a quoted IMAP mailbox name in modified UTF-7 (RFC 3501, 5.1.3)."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            encoded = base64.b64encode("".join(pending).encode("utf-16-be")).rstrip(b"=")
            out.append("&" + encoded.replace(b"/", b",").decode() + "-")
            pending.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            pending.append(ch)
    flush()
    return '"' + "".join(out).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ok(result: tuple[str, Sequence[object]], what: str) -> Sequence[object]:
    status, data = result
    if status != "OK":
        raise ImapError(f"{what}: {status} {data!r}"[:500])
    return data


def select(conn: imaplib.IMAP4, folder: str) -> int:
    """Open ``folder`` for reading and writing; return its UIDVALIDITY."""
    try:
        _ok(conn.select(mailbox_name(folder)), f"SELECT {folder}")
        validity = conn.response("UIDVALIDITY")[1]
        return int(validity[0]) if validity and isinstance(validity[0], bytes) else 0
    except imaplib.IMAP4.error as exc:
        raise ImapError(str(exc)) from exc


def search(conn: imaplib.IMAP4, *criteria: str) -> list[int]:
    data = _ok(conn.uid("SEARCH", *criteria), "SEARCH")
    first = data[0] if data else b""
    return sorted(int(uid) for uid in first.split()) if isinstance(first, bytes) else []


def meta(conn: imaplib.IMAP4, uid: int) -> MessageMeta | None:
    """Size and Message-ID of one message, without reading its body; None if it is gone."""
    data = _ok(
        conn.uid("FETCH", str(uid), "(UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])"),
        "FETCH",
    )
    for item in data:
        if isinstance(item, tuple) and _UID.search(item[0]) and _uid_of(item[0]) == uid:
            size = _SIZE.search(item[0])
            parsed = BytesParser(policy=policy.default).parsebytes(item[1], headersonly=True)
            return MessageMeta(
                uid=uid,
                size=int(size.group(1)) if size else 0,
                message_id=header(parsed, "message-id"),
            )
    return None


def fetch(conn: imaplib.IMAP4, uid: int) -> bytes | None:
    """The whole message, without setting \\Seen; None if it is gone."""
    data = _ok(conn.uid("FETCH", str(uid), "(UID BODY.PEEK[])"), "FETCH")
    for item in data:
        if isinstance(item, tuple) and _uid_of(item[0]) == uid:
            return bytes(item[1])
    return None


def _uid_of(line: bytes) -> int | None:
    found = _UID.search(line)
    return int(found.group(1)) if found else None


def ensure_folder(conn: imaplib.IMAP4, folder: str) -> None:
    conn.create(mailbox_name(folder))  # NO [ALREADYEXISTS] is fine


def move(conn: imaplib.IMAP4, uid: int, folder: str) -> None:
    """Move one message (MOVE, or COPY + delete where the server lacks MOVE)."""
    if "MOVE" in conn.capabilities:
        _ok(conn.uid("MOVE", str(uid), mailbox_name(folder)), "MOVE")
        return
    _ok(conn.uid("COPY", str(uid), mailbox_name(folder)), "COPY")
    _ok(conn.uid("STORE", str(uid), "+FLAGS.SILENT", "(\\Deleted)"), "STORE")
    if "UIDPLUS" in conn.capabilities:
        _ok(conn.uid("EXPUNGE", str(uid)), "EXPUNGE")


def mark_done(conn: imaplib.IMAP4, uid: int) -> None:
    _ok(conn.uid("STORE", str(uid), "+FLAGS.SILENT", f"(\\Seen {DONE_KEYWORD})"), "STORE")


def refresh_capabilities(conn: imaplib.IMAP4) -> None:
    """Servers announce more (MOVE, UIDPLUS) after login than before."""
    data = _ok(conn.capability(), "CAPABILITY")
    if data and isinstance(data[0], bytes):
        conn.capabilities = tuple(data[0].decode().upper().split())


def close(conn: imaplib.IMAP4) -> None:
    with contextlib.suppress(OSError, imaplib.IMAP4.error):
        conn.logout()
