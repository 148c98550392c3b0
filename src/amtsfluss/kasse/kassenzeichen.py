"""Kassenzeichen: the reference a citizen pays a Forderung under.

Format: ``PRÄFIX-JJJJ-NNNNNN-PP``, for example ``KZ-2026-000042-87``:

* ``PRÄFIX`` — the Mandant's prefix (one to six letters A–Z);
* ``JJJJ`` — the year it was created; ``NNNNNN`` — the running number in that year;
* ``PP`` — two check digits per ISO 7064 MOD 97-10 (as in the IBAN) over the rest, letters
  counted A=10 … Z=35. A letter where a digit belongs (or the reverse) breaks the shape; every
  other single wrong character and every swap of two neighbours changes the remainder. So a
  mistyped Kassenzeichen in a bank transfer is not matched to someone else's Forderung.

In a bank transfer's remittance text the Kassenzeichen is found whatever its spacing,
hyphens or case (``kz 2026 000042 87``).
"""

from __future__ import annotations

import re

PRAEFIX_PATTERN = re.compile(r"[A-Z]{1,6}")
_COMPACT = re.compile(r"[A-Z]{1,6}[0-9]{12}")
_SEPARATORS = re.compile(r"[\s\-_./]+")


def _numeric(text: str) -> int:
    return int("".join(str(int(char, 36)) for char in text))


def pruefziffern(body: str) -> str:
    """The two check digits for ``body`` (prefix, year and number without separators)."""
    return f"{98 - _numeric(body + '00') % 97:02d}"


def is_valid(compact: str) -> bool:
    """Whether a compact Kassenzeichen (no separators) carries correct check digits."""
    if not _COMPACT.fullmatch(compact):
        return False
    return _numeric(compact) % 97 == 1


def format_kassenzeichen(praefix: str, jahr: int, nummer: int) -> str:
    """The written Kassenzeichen for a prefix, year and running number."""
    body = f"{praefix}{jahr:04d}{nummer:06d}"
    return f"{praefix}-{jahr:04d}-{nummer:06d}-{pruefziffern(body)}"


def compact(text: str) -> str:
    """``text`` upper-cased without spaces, hyphens, underscores, dots or slashes."""
    return _SEPARATORS.sub("", text).upper()


def find_in(text: str, praefix: str) -> list[str]:
    """The compact Kassenzeichen with the prefix ``praefix`` and valid check digits in a
    remittance text, in order of appearance, each once."""
    pattern = re.compile(re.escape(praefix) + r"([0-9]{12})")
    found: list[str] = []
    squeezed = compact(text)
    for match in pattern.finditer(squeezed):
        candidate = praefix + match.group(1)
        if is_valid(candidate) and candidate not in found:
            found.append(candidate)
    return found
