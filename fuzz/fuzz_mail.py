"""Fuzz target: one untrusted mail of the intake (``core.intake.mailparse.parse_mail``).

Contract: any bytes → a ``ParsedMail`` or ``Refused`` with a reason; anything else would leave
the mail in the retry loop for ever. What comes out is clean: header values one line without
control characters (at most 998 characters), the body without control characters but line
breaks and tabs, attachment names non-empty, unique (ignoring case), without path or control
characters.
"""

from __future__ import annotations

import unicodedata

import atheris  # type: ignore[import-untyped]

import fuzz_support
from fuzz_support import expect

with atheris.instrument_imports(include=["amtsfluss.core.intake", "email"]):
    fuzz_support.setup_django()
    from amtsfluss.core.intake.handlers import Refused
    from amtsfluss.core.intake.items import Limits
    from amtsfluss.core.intake.mailparse import HEADERS, ParsedMail, parse_mail

LIMITS = Limits(
    max_message_bytes=1024 * 1024,
    max_parts=50,
    max_depth=8,
    max_attachment_bytes=256 * 1024,
    max_body_chars=100_000,
    max_file_bytes=256 * 1024,
)
_HIDDEN = {"Cc", "Cf", "Cs", "Co"}


def test_one_input(data: bytes) -> None:
    try:
        parsed = parse_mail(data, LIMITS)
    except Refused as exc:
        expect(isinstance(exc.reason, str) and exc.reason)
        return
    expect(isinstance(parsed, ParsedMail))
    expect(set(parsed.headers) == set(HEADERS))
    for value in parsed.headers.values():
        expect(len(value) <= 998 and value == value.strip(), repr(value))
        expect(not any(unicodedata.category(c) in _HIDDEN for c in value), repr(value))
    body = parsed.body_text
    expect(len(body) <= LIMITS.max_body_chars)
    expect(not any(c not in "\n\t" and unicodedata.category(c) in {"Cc", "Cs"} for c in body))
    seen: set[str] = set()
    for attachment in parsed.attachments:
        name = attachment.filename
        expect(name and "/" not in name and "\\" not in name, repr(name))
        expect(not any(unicodedata.category(c) in _HIDDEN for c in name), repr(name))
        expect(name.lower() not in seen, repr(name))
        seen.add(name.lower())
        expect(len(attachment.data) <= LIMITS.max_attachment_bytes)


if __name__ == "__main__":
    fuzz_support.run("mail", test_one_input, fuzz_support.mail_seeds())
