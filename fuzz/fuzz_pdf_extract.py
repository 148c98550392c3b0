"""Fuzz target: finding the invoice XML in an untrusted PDF (``validation.pdf_extract``).

In production ``pdf_extract.py`` runs in a limited child per PDF (``validation.pdf``), far too
slow to fuzz; this target calls the child's ``extract`` in-process and reads its answer.
Contract: exactly one JSON status line (``ok`` with the payload of the stated size,
``encrypted``, ``broken``, ``no-invoice``, ``ambiguous``, ``limit``), never an exception.

A timeout or out-of-memory report of this target is what the child's limits (512 MiB, 10 s
CPU, 30 s wall clock) turn into the ``AF-LIMIT`` refusal; it is a finding for those limits, not
for the contract.
"""

from __future__ import annotations

import io
import json
import logging
import sys

import atheris  # type: ignore[import-untyped]

import fuzz_support
from fuzz_support import expect

with atheris.instrument_imports(include=["amtsfluss.rechnung.validation.pdf_extract", "pypdf"]):
    fuzz_support.setup_django()
    import pypdf  # noqa: F401  (imported here so that it is instrumented)

    from amtsfluss.rechnung.validation import pdf_extract

logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # the child's stderr is not read either
STATUSES = {"ok", "encrypted", "broken", "no-invoice", "ambiguous", "limit"}
MAX_XML = 1024 * 1024


def test_one_input(data: bytes) -> None:
    stdout, capture = sys.stdout, io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    sys.stdout = capture  # extract() answers on sys.stdout.buffer, as the child does
    try:
        pdf_extract.extract(data, MAX_XML)
    finally:
        sys.stdout = stdout
    answered = capture.detach()
    assert isinstance(answered, io.BytesIO)  # noqa: S101 - narrows the type for mypy
    out = answered.getvalue()
    header, newline, payload = out.partition(b"\n")
    expect(newline, f"no answer line: {out[:200]!r}")
    answer = json.loads(header)
    expect(answer["status"] in STATUSES, answer)
    if answer["status"] == "ok":
        expect(len(payload) == answer["size"] <= MAX_XML and isinstance(answer["name"], str))
    else:
        expect(payload == b"", answer)


if __name__ == "__main__":
    fuzz_support.run("pdf_extract", test_one_input, fuzz_support.pdf_seeds())
