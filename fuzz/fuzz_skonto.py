"""Fuzz target: XRechnung's Skonto convention in BT-20 (``invoice.skonto``).

Contract (module docstring): lines that do not follow the convention stay free text, never an
error. Every Skonto found is written back by ``skonto_line`` to a line that reads the same, and
the free text holds no Skonto line.
"""

from __future__ import annotations

import atheris  # type: ignore[import-untyped]

import fuzz_support
from fuzz_support import expect

with atheris.instrument_imports(include=["amtsfluss.rechnung.invoice.skonto"]):
    fuzz_support.setup_django()
    from amtsfluss.rechnung.invoice.skonto import free_text, parse_skonto, skonto_line


def test_one_input(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    found = parse_skonto(text)
    for skonto in found:
        expect(skonto.days >= 0 and skonto.percent >= 0, skonto)
        expect(parse_skonto(skonto_line(skonto)) == (skonto,), skonto)
    rest = free_text(text)
    expect(not parse_skonto(rest))


def _seeds() -> list[bytes]:
    return [
        b"#SKONTO#TAGE=14#PROZENT=2.00#\nZahlbar ohne Abzug bis zum F\xc3\xa4lligkeitsdatum.\n",
        b"  #SKONTO#TAGE=7#PROZENT=3.5#BASISBETRAG=-1234.56#  \r\n#SKONTO#TAGE=x#PROZENT=1#",
        b"#SKONTO#TAGE=0010#PROZENT=100.000000#BASISBETRAG=999999999999999.999999#",
    ]


if __name__ == "__main__":
    fuzz_support.run("skonto", test_one_input, _seeds())
