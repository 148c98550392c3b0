"""Fuzz target: the prolog scan that guards every XML parser (``hardening.prolog_problem``).

Contract: any bytes → ``None`` or a reason (``str``), never an exception. And the property the
scan exists for: whatever it lets through, the hardened lxml parser finds no DOCTYPE in.
"""

from __future__ import annotations

import atheris  # type: ignore[import-untyped]

import fuzz_support
from fuzz_support import expect

with atheris.instrument_imports(include=["amtsfluss.rechnung.validation.hardening"]):
    fuzz_support.setup_django()
    from lxml import etree  # type: ignore[import-untyped]

    from amtsfluss.rechnung.validation.hardening import hardened_parser, prolog_problem


def test_one_input(data: bytes) -> None:
    problem = prolog_problem(data)
    expect(problem is None or (isinstance(problem, str) and problem), repr(problem))
    if problem is not None:
        return
    try:
        root = etree.fromstring(data, hardened_parser())
    except etree.XMLSyntaxError:
        return
    info = root.getroottree().docinfo
    expect(not info.doctype and info.internalDTD is None, "a DOCTYPE passed the prolog scan")


if __name__ == "__main__":
    fuzz_support.run("prolog", test_one_input, fuzz_support.invoice_seeds())
