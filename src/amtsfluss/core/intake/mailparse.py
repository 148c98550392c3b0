"""Parsing one untrusted mail (stdlib ``email``, ``policy.default``) within limits.

Before the parser sees a message, its size and an upper bound of its MIME parts (delimiter
lines start with ``--``) are checked, so a mail bomb costs neither memory nor time. The walk
over the parts is iterative and stops at the part and depth limits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser

from django.utils.translation import gettext as _

from amtsfluss.core.intake.handlers import Refused
from amtsfluss.core.intake.items import Attachment, Limits
from amtsfluss.core.intake.text import (
    clean_body,
    clean_header,
    html_to_text,
    safe_filename,
)

_DELIMITER_LINE = re.compile(rb"^--", re.MULTILINE)
HEADERS = ("message-id", "from", "to", "cc", "subject", "date")


@dataclass(frozen=True)
class ParsedMail:
    headers: dict[str, str]
    body_text: str
    attachments: tuple[Attachment, ...]


def parse_mail(raw: bytes, limits: Limits) -> ParsedMail:
    """The headers, body text and attachments of ``raw``, or :class:`Refused` with the reason."""
    if len(raw) > limits.max_message_bytes:
        raise Refused(
            _("The message is larger than %(limit)d bytes.") % {"limit": limits.max_message_bytes}
        )
    if len(_DELIMITER_LINE.findall(raw)) > 2 * limits.max_parts + 20:
        raise Refused(_("The message has more than %(limit)d parts.") % {"limit": limits.max_parts})
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # the parser is lenient; anything it still refuses is refused here
        raise Refused(_("The message cannot be read: %(error)s") % {"error": exc}) from exc
    assert isinstance(message, EmailMessage)  # noqa: S101  (policy.default makes EmailMessage)
    headers = {name: header(message, name) for name in HEADERS}
    plain: list[str] = []
    html: list[str] = []
    attachments: list[Attachment] = []
    for part in _leaves(message, limits):
        if _is_body(part):
            (plain if part.get_content_type() == "text/plain" else html).append(_text(part))
        else:
            attachments.append(_attachment(part, len(attachments) + 1, limits))
    body = (
        "\n\n".join(plain) if plain else html_to_text("\n".join(html), limit=limits.max_body_chars)
    )
    return ParsedMail(
        headers=headers,
        body_text=clean_body(body, limit=limits.max_body_chars),
        attachments=tuple(_unique_names(attachments)),
    )


def header(message: Message, name: str) -> str:
    """A header as one clean line; a header the parser cannot decode is kept as raw text."""
    try:
        value = message.get(name)
        text = "" if value is None else str(value)
    except Exception:  # malformed encoded words, broken address lists
        text = next((str(v) for k, v in message.raw_items() if k.lower() == name), "")
    return clean_header(text)


def _leaves(message: Message, limits: Limits) -> list[Message]:
    leaves: list[Message] = []
    stack: list[tuple[Message, int]] = [(message, 0)]
    count = 0
    while stack:
        part, depth = stack.pop()
        count += 1
        if count > limits.max_parts:
            raise Refused(
                _("The message has more than %(limit)d parts.") % {"limit": limits.max_parts}
            )
        if depth > limits.max_depth:
            raise Refused(
                _("The message is nested deeper than %(limit)d levels.")
                % {"limit": limits.max_depth}
            )
        if part.is_multipart() and part.get_content_maintype() == "multipart":
            children = part.get_payload()
            assert isinstance(children, list)  # noqa: S101
            stack.extend((c, depth + 1) for c in reversed(children) if isinstance(c, Message))
        else:
            leaves.append(part)
    return leaves


def _is_body(part: Message) -> bool:
    return (
        part.get_content_type() in {"text/plain", "text/html"}
        and part.get_content_disposition() != "attachment"
        and not _filename(part)
    )


def _filename(part: Message) -> str | None:
    try:
        return part.get_filename()
    except Exception:  # a broken RFC 2231 parameter
        return None


def _text(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
    except Exception:  # an unknown charset or a broken transfer encoding
        content = None
    if isinstance(content, str):
        return content
    payload = part.get_payload(decode=True)
    return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""


def _attachment(part: Message, number: int, limits: Limits) -> Attachment:
    content_type = part.get_content_type()
    if part.get_content_maintype() == "message":
        inner = part.get_payload()
        data = b""
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            try:
                data = inner[0].as_bytes()
            except Exception:  # headers that cannot be written back: keep what there is
                data = str(inner[0].get_payload()).encode("utf-8", "replace")
    else:
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
    if len(data) > limits.max_attachment_bytes:
        raise Refused(
            _("An attachment is larger than %(limit)d bytes.")
            % {"limit": limits.max_attachment_bytes}
        )
    name = safe_filename(_filename(part), content_type=content_type, fallback=f"anhang-{number}")
    return Attachment(filename=name, content_type=content_type, data=data)


def _unique_names(attachments: list[Attachment]) -> list[Attachment]:
    seen: set[str] = set()
    unique = []
    for attachment in attachments:
        name, n = attachment.filename, 1
        stem, dot, ext = name.rpartition(".")
        while name.lower() in seen:
            n += 1
            name = f"{stem}-{n}.{ext}" if dot else f"{attachment.filename}-{n}"
        seen.add(name.lower())
        unique.append(
            Attachment(filename=name, content_type=attachment.content_type, data=attachment.data)
        )
    return unique
