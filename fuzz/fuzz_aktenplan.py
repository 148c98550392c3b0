"""Fuzz target: reading and checking an Aktenplan import file (``akte.services.aktenplan_io``).

Fuzzes the steps that need no database: ``_read`` (size, UTF-8, CSV or JSON), ``_check_row``
(the rules for one position, with no units known) and ``_cycles`` (parent values). Contract:
every problem is collected with its line, never an exception; each row read has exactly the
known columns as text.
"""

from __future__ import annotations

import atheris  # type: ignore[import-untyped]

import fuzz_support
from fuzz_support import expect

with atheris.instrument_imports(
    include=["amtsfluss.akte.services.aktenplan_io", "amtsfluss.akte.kennzeichen"]
):
    fuzz_support.setup_django()
    from amtsfluss.akte.services.aktenplan_io import (
        COLUMNS,
        FORMATS,
        _check_row,
        _cycles,
        _Problems,
        _read,
    )


def test_one_input(data: bytes) -> None:
    for fmt in FORMATS:
        problems = _Problems()
        rows = _read(data, fmt, problems)
        expect(rows or problems, "neither rows nor a problem")
        parent_of: dict[str, str] = {}
        for row in rows:
            expect(row.line >= 1 and tuple(row.values) == COLUMNS, row)
            expect(all(isinstance(value, str) for value in row.values.values()), row)
            kennzeichen, entry = _check_row(row, {}, problems)
            if kennzeichen and row.values["parent"].strip():
                parent_of[kennzeichen] = row.values["parent"].strip()
            expect(entry is None or entry.kennzeichen == kennzeichen)
        for cycle in _cycles(parent_of):
            expect(cycle and all(k in parent_of for k in cycle), cycle)
        expect(all(isinstance(message, str) for message in problems.messages()))


if __name__ == "__main__":
    fuzz_support.run("aktenplan", test_one_input, fuzz_support.aktenplan_seeds())
