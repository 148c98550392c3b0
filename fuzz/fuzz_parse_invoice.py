"""Fuzz target: reading an e-invoice into the EN 16931 model (``invoice.parse``).

Contract: ``parse_invoice`` and ``attachment_content`` give a result or raise
``InvoiceParseError`` with a message for people; any other exception is a bug. A download name
from ``attachment_content`` never holds a path or a control character.
"""

from __future__ import annotations

import unicodedata

import atheris  # type: ignore[import-untyped]

import fuzz_support
from fuzz_support import expect

with atheris.instrument_imports(
    include=["amtsfluss.rechnung.invoice", "amtsfluss.rechnung.validation.hardening"]
):
    fuzz_support.setup_django()
    from amtsfluss.rechnung.invoice.model import Invoice
    from amtsfluss.rechnung.invoice.parse import (
        InvoiceParseError,
        attachment_content,
        parse_invoice,
    )

_MAX_ATTACHMENT = 64 * 1024


def test_one_input(data: bytes) -> None:
    try:
        invoice = parse_invoice(data)
    except InvoiceParseError as exc:
        expect(isinstance(exc.message, str) and exc.message)
        return
    expect(isinstance(invoice, Invoice))
    for attachment in invoice.attachments[:3]:
        try:
            name, media_type, content = attachment_content(
                data, attachment.reference, max_bytes=_MAX_ATTACHMENT
            )
        except InvoiceParseError as exc:
            expect(isinstance(exc.message, str) and exc.message)
            continue
        expect(name and "/" not in name and "\\" not in name, repr(name))
        expect(not any(unicodedata.category(c) == "Cc" for c in name), repr(name))
        expect(isinstance(media_type, str) and isinstance(content, bytes))


if __name__ == "__main__":
    fuzz_support.run("parse_invoice", test_one_input, fuzz_support.invoice_seeds())
