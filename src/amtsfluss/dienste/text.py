"""German folding for the catalogue search: ä/ae, ö/oe, ü/ue, ß/ss and accents match alike."""

from __future__ import annotations

import re

from amtsfluss.core.folding import fold as fold_accents

_DIGRAPHS = re.compile(r"ae|oe|ue")
_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case, umlauts and accents folded to their base letter, ``ae``/``oe``/``ue`` to
    ``a``/``o``/``u`` (so *Müller*, *Mueller* and *Muller* all become ``muller``),
    ``ß`` to ``ss``, runs of white space to one space. Applied to both the stored text and the
    query, so a match never depends on how a word was spelt."""
    folded = fold_accents(text.lower())
    folded = _DIGRAPHS.sub(lambda m: m.group()[0], folded)
    return _SPACE.sub(" ", folded).strip()
