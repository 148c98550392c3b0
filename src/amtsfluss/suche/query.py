"""The user's search text → words, phrases and prefixes; nothing else has a meaning.

No field syntax, no operators, no escapes: ``titel:x``, ``AND``, ``(`` are plain words (or
dropped as punctuation), so nothing a user types reaches an engine's query language. A quote
left open closes at the end; a ``*`` without at least two letters before it is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from amtsfluss.core.errors import ServiceError
from amtsfluss.core.folding import fold
from amtsfluss.suche.text import WORD, terms

MAX_QUERY_CHARS = 500
MAX_TERMS = 32
MIN_PREFIX = 2
_PARTS = re.compile(r'"([^"]*)(?:"|$)|([^\W_]+)(\*?)')


class QueryError(ServiceError):
    """The search text cannot be searched (too long, too many terms)."""


@dataclass(frozen=True)
class ParsedQuery:
    """Folded, lower-case words; every entry of ``words`` and ``phrases`` has index terms."""

    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    prefixes: tuple[str, ...] = ()
    #: whether the user typed any word at all (``*`` or punctuation alone is no word)
    typed: bool = False

    @property
    def match_all(self) -> bool:
        """No text to match: every permitted Dokument (narrowed by the filters) is a hit."""
        return not self.typed

    @property
    def matches_nothing(self) -> bool:
        """Only stop words were typed: nothing to look for, so no hit."""
        return self.typed and not (self.words or self.phrases or self.prefixes)


def parse(text: str) -> ParsedQuery:
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            _("The search text is too long (at most %d characters).") % MAX_QUERY_CHARS
        )
    words: list[str] = []
    phrases: list[tuple[str, ...]] = []
    prefixes: list[str] = []
    typed = 0
    for match in _PARTS.finditer(text):
        phrase, word, star = match.groups()
        if phrase is not None:
            parts = tuple(fold(w).lower() for w in WORD.findall(phrase))
            typed += len(parts)
            if len(parts) == 1:
                words.append(parts[0])
            elif len(parts) > 1 and any(terms(p) for p in parts):
                phrases.append(parts)
            continue
        folded = fold(word).lower()
        typed += 1
        if star and len(folded) >= MIN_PREFIX:
            prefixes.append(folded)
        else:
            words.append(folded)
    if typed > MAX_TERMS:
        raise QueryError(_("The search text has too many words (at most %d).") % MAX_TERMS)
    searchable = tuple(dict.fromkeys(w for w in words if terms(w)))
    return ParsedQuery(
        words=searchable,
        phrases=tuple(dict.fromkeys(phrases)),
        prefixes=tuple(dict.fromkeys(prefixes)),
        typed=typed > 0,
    )
