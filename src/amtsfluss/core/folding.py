"""Folding of umlauts and accents (ä→a, ß→ss, é→e) for matching German text: the full-text
search and the online-service catalogue use it alike. No search engine needed."""

from __future__ import annotations

import unicodedata


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {ord("ß"): "ss", ord("ẞ"): "SS"}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        if base and base != char and base.isascii():
            table[code] = base
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """``text`` with umlauts and accents folded (ä→a, ß→ss, é→e); length may change."""
    return text if text.isascii() else text.translate(_FOLD)
