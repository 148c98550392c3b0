"""Retention (Aufbewahrung): when the period of a closed Akte ends.

The period starts on 1 January after the year the Akte was closed (zdA), so it ends on
31 December of (closing year + period). "dauernd" never ends.
"""

from __future__ import annotations

from datetime import date


def aufbewahren_bis(*, geschlossen_am: date, jahre: int | None, dauernd: bool) -> date | None:
    if dauernd or jahre is None:
        return None
    return date(geschlossen_am.year + jahre, 12, 31)
