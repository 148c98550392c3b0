"""The rules: an Aktenzeichen of the Mandant's pattern, a Kassenzeichen (a configurable regular
expression until the cash office app names its own), the sender seen before.

The text functions here are pure (the evaluation runs them without a database); the lookups
that turn a found string into an Akte are in :mod:`amtsfluss.posteingang.klassifikation.vorschlag`.
"""

from __future__ import annotations

import functools
import re
import string
from email.utils import parseaddr

#: the rules read at most this much of a text (an Aktenzeichen is on the first pages)
MAX_CHARS = 100_000
MAX_FOUND = 10

_FIELDS = {
    "oe": r"[0-9A-Za-zÄÖÜäöü]{1,10}(?:\.[0-9A-Za-zÄÖÜäöü]{1,10}){0,4}",
    "kennzeichen": r"[0-9A-Za-z]{1,10}(?:\.[0-9A-Za-z]{1,10}){0,6}",
    "jahr": r"(?:19|20)[0-9]{2}",
    "nr": r"[0-9]{1,9}",
}


@functools.lru_cache(maxsize=64)
def aktenzeichen_regex(pattern: str) -> re.Pattern[str]:
    """A regular expression that finds Aktenzeichen rendered with ``pattern`` (see
    :mod:`amtsfluss.akte.aktenzeichen`); blanks in the pattern match any run of blanks."""
    parts = []
    for literal, field, _spec, _conversion in string.Formatter().parse(pattern):
        parts.append(r"\s*".join(re.escape(piece) for piece in literal.split(" ")))
        if field is not None:
            parts.append(f"(?:{_FIELDS.get(field, _FIELDS['nr'])})")
    return re.compile(r"(?<![\w.])" + "".join(parts) + r"(?![\w])")


def find_aktenzeichen(text: str, pattern: str) -> list[str]:
    """The distinct Aktenzeichen in ``text``, in order of appearance (at most ten)."""
    found: list[str] = []
    for match in aktenzeichen_regex(pattern).finditer(text[:MAX_CHARS]):
        value = re.sub(r"\s+", " ", match.group(0))
        if value not in found:
            found.append(value)
            if len(found) == MAX_FOUND:
                break
    return found


@functools.lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def valid_kassenzeichen_pattern(pattern: str) -> bool:
    return len(pattern) <= 200 and _compiled(pattern) is not None


def find_kassenzeichen(text: str, pattern: str) -> str:
    """The first Kassenzeichen in ``text`` (group 1 of ``pattern``, else the whole match)."""
    regex = _compiled(pattern)
    if regex is None:
        return ""
    match = regex.search(text[:MAX_CHARS])
    if match is None:
        return ""
    value = (match.group(1) if regex.groups else None) or match.group(0)
    return re.sub(r"\s+", "", value)[:60]


def sender_address(herkunft: dict[str, object]) -> str:
    """The mail address of the sender named in an Eingang's provenance, lower case ('' if none)."""
    raw = herkunft.get("from") if isinstance(herkunft, dict) else None
    if not isinstance(raw, str):
        return ""
    _name, address = parseaddr(raw[:500])
    return address.lower()[:254] if "@" in address else ""
