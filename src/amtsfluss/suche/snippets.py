"""Highlighted snippets, made the same way for both backends: escaped HTML, matches in <mark>."""

from __future__ import annotations

from functools import lru_cache
from html import escape

from amtsfluss.core.folding import fold
from amtsfluss.suche.query import ParsedQuery
from amtsfluss.suche.text import WORD, terms

SNIPPET_CHARS = 240
SCAN_CHARS = 20_000  #: only the beginning of long texts is scanned for a match


def _wanted(parsed: ParsedQuery) -> tuple[set[str], tuple[str, ...]]:
    wanted: set[str] = set()
    for word in (*parsed.words, *(w for phrase in parsed.phrases for w in phrase)):
        wanted.update(terms(word))
    return wanted, parsed.prefixes


@lru_cache(maxsize=100_000)
def _analysed(word: str) -> tuple[str, frozenset[str]]:
    """A word of a text folded, and its index terms. Texts repeat their words, and analysing one
    word by one is the snippet's main cost, so the answers are kept (per process, bounded)."""
    folded = fold(word).lower()
    return folded, frozenset(terms(folded))


class Highlighter:
    """The snippets of one query's hits: the query is analysed once, and whether a word of a
    text matches is decided once per distinct word (hits share most of their words)."""

    def __init__(self, parsed: ParsedQuery, *, width: int = SNIPPET_CHARS) -> None:
        self.wanted, self.prefixes = _wanted(parsed)
        self.width = width
        self._decided: dict[str, bool] = {}

    def _matches(self, word: str) -> bool:
        folded, found = _analysed(word)
        by_prefix = bool(self.prefixes) and folded.startswith(self.prefixes)
        matches = by_prefix or not self.wanted.isdisjoint(found)
        self._decided[word] = matches
        return matches

    def snippet(self, text: str) -> str:
        """A window of ``text`` around the first match, HTML-escaped, each match in ``<mark>``."""
        text = text[:SCAN_CHARS]
        width, decided = self.width, self._decided
        spans: list[tuple[int, int]] = []
        limit = -1  # once a match is found: where the window's scan may stop
        for match in WORD.finditer(text):
            word = match[0]
            matches = decided.get(word)
            if matches is None:
                matches = self._matches(word)
            if matches:
                spans.append(match.span())
                if limit < 0:
                    limit = match.start() + width
            if 0 <= limit < match.start():
                break
        start = max(0, spans[0][0] - width // 4) if spans else 0
        start = _word_start(text, start)
        end = min(len(text), start + width)
        parts: list[str] = ["…" if start > 0 else ""]
        cursor = start
        for begin, finish in spans:
            if begin < start or finish > end:
                continue
            parts += [escape(text[cursor:begin]), "<mark>", escape(text[begin:finish]), "</mark>"]
            cursor = finish
        parts += [escape(text[cursor:end]), "…" if end < len(text) else ""]
        return "".join(parts).strip()


def snippet(text: str, parsed: ParsedQuery, *, width: int = SNIPPET_CHARS) -> str:
    """A window of ``text`` around the first match, HTML-escaped, each match in ``<mark>``."""
    return Highlighter(parsed, width=width).snippet(text)


def _word_start(text: str, position: int) -> int:
    while 0 < position < len(text) and not text[position - 1].isspace():
        position += 1
    return position
