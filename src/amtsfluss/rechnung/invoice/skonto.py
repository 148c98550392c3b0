"""XRechnung's Skonto convention in the payment terms (BT-20).

Each cash discount is one line ``#SKONTO#TAGE=14#PROZENT=2.00#``, optionally followed by
``BASISBETRAG=1234.56#`` when the discount applies to part of the amount only. Other lines are
free text. Lines that do not follow the convention stay free text; they are never an error.
"""

from __future__ import annotations

import re
from decimal import Decimal

from amtsfluss.rechnung.invoice.model import Skonto

_SKONTO_LINE = re.compile(
    r"#SKONTO#TAGE=(?P<days>\d{1,4})#PROZENT=(?P<percent>\d{1,3}(?:\.\d{1,6})?)#"
    r"(?:BASISBETRAG=(?P<base>-?\d{1,15}(?:\.\d{1,6})?)#)?"
)


def _skonto(line: str) -> Skonto | None:
    match = _SKONTO_LINE.fullmatch(line.strip())
    if match is None:
        return None
    base = match["base"]
    return Skonto(
        days=int(match["days"]),
        percent=Decimal(match["percent"]),
        base_amount=Decimal(base) if base is not None else None,
    )


def parse_skonto(text: str) -> tuple[Skonto, ...]:
    """Every Skonto line of a payment terms text, in order."""
    found = (_skonto(line) for line in text.splitlines())
    return tuple(skonto for skonto in found if skonto is not None)


def free_text(text: str) -> str:
    """The payment terms without the Skonto lines (what a person should read as text)."""
    lines = [line for line in text.splitlines() if _skonto(line) is None]
    return "\n".join(lines).strip()


def skonto_line(skonto: Skonto) -> str:
    """The convention's line for one Skonto (the inverse of the parser)."""
    line = f"#SKONTO#TAGE={skonto.days}#PROZENT={skonto.percent}#"
    if skonto.base_amount is not None:
        line += f"BASISBETRAG={skonto.base_amount}#"
    return line
