"""Embedded attachments (BG-24, BT-125): their size without decoding, their bytes on demand."""

from __future__ import annotations

import base64
import binascii

from django.utils.translation import gettext as _

from amtsfluss.rechnung.invoice.reading import InvoiceParseError

MAX_ATTACHMENT_BYTES = 7 * 1024 * 1024
"""Largest attachment handed out (7 MiB). The hardened parser refuses any text node above ten
million characters anyway (about 7.1 MiB of Base64-encoded content)."""

_WHITESPACE = " \t\r\n"


def decoded_size(encoded: str) -> int:
    """The number of bytes ``encoded`` (Base64, whitespace allowed) decodes to, not decoding."""
    characters = len(encoded) - sum(encoded.count(c) for c in _WHITESPACE)
    tail = encoded.rstrip(_WHITESPACE)[-2:]
    padding = len(tail) - len(tail.rstrip("="))
    return max(characters * 3 // 4 - padding, 0)


def decode(encoded: str, *, reference: str, max_bytes: int = MAX_ATTACHMENT_BYTES) -> bytes:
    """The attachment's bytes; refused above ``max_bytes`` before anything is decoded."""
    if decoded_size(encoded) > max_bytes:
        raise InvoiceParseError(
            _("The attachment “%(reference)s” is larger than %(limit)s MiB.")
            % {"reference": reference, "limit": round(max_bytes / 1024 / 1024, 1)}
        )
    try:
        return base64.b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError):
        raise InvoiceParseError(
            _("The attachment “%(reference)s” is not valid Base64.") % {"reference": reference}
        ) from None
