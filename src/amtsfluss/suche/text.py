"""Text analysis shared by both backends, the query parser and the snippets (the folding of
umlauts and accents is ``core.folding``)."""

from __future__ import annotations

import re
from functools import cache

import tantivy

#: A word as tantivy's simple tokenizer sees it: letters and digits (no underscore).
WORD = re.compile(r"[^\W_]+")
ANALYZER_NAME = "de"
MAX_TERM_LENGTH = 60


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
