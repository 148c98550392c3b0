"""Fuzz target: the XML intake of the validator (``validator.prepare_document``).

Contract: any bytes → a ``PreparedDocument`` (well-formed, no DOCTYPE, a known syntax) or a
refusal (``ValidationResult`` with at least one finding), never an exception. PDF input is
skipped here: it starts a child process per call (see ``fuzz_pdf_extract.py`` for the part
that runs in the child).
"""

from __future__ import annotations

import atheris  # type: ignore[import-untyped]

import fuzz_support
from fuzz_support import expect

with atheris.instrument_imports(include=["amtsfluss.rechnung.validation"]):
    fuzz_support.setup_django()
    from amtsfluss.rechnung.validation import pdf
    from amtsfluss.rechnung.validation.validator import (
        SYNTAXES,
        PreparedDocument,
        ValidationResult,
        prepare_document,
    )


def test_one_input(data: bytes) -> None:
    if pdf.is_pdf(data):
        return
    outcome = prepare_document(data, "fuzz.xml")
    if isinstance(outcome, ValidationResult):
        expect(outcome.findings, "a refusal without a reason")
        expect(not outcome.accepted)
        return
    expect(isinstance(outcome, PreparedDocument), type(outcome))
    expect(isinstance(outcome.text, str))
    expect(outcome.result.syntax in SYNTAXES.values())
    info = outcome.tree.docinfo
    expect(not info.doctype and info.internalDTD is None)


if __name__ == "__main__":
    fuzz_support.run("prepare_document", test_one_input, fuzz_support.invoice_seeds())
