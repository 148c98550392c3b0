"""Text folding and analysis shared by both backends, the query parser and the snippets."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import tantivy

#: A word as tantivy's simple tokenizer sees it: letters and digits (no underscore).
WORD = re.compile(r"[^\W_]+")
ANALYZER_NAME = "de"
MAX_TERM_LENGTH = 60


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


def build_analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_TERM_LENGTH))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stopword("german"))
        .filter(tantivy.Filter.stemmer("german"))
        .build()
    )


@cache
def analyzer() -> tantivy.TextAnalyzer:
    return build_analyzer()


def terms(folded_word: str) -> list[str]:
    """The index terms of an already folded word (empty for a stop word)."""
    return analyzer().analyze(folded_word)
