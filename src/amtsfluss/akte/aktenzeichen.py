"""Aktenzeichen rules: validating a pattern and rendering it.

A pattern uses the placeholders ``{oe}`` (short code of the federführende OE),
``{kennzeichen}`` (Aktenplan Kennzeichen), ``{jahr}`` and ``{nr}`` (running number, optionally
zero-padded: ``{nr:04}``). The running number counts separately per value of the other
placeholders — the *counter scope* is the pattern rendered without the number.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from django.utils.translation import gettext as _

from amtsfluss.core.errors import ServiceError

PLACEHOLDERS = frozenset({"oe", "kennzeichen", "jahr", "nr"})
_NUMBER_SPEC = re.compile(r"^(0[1-9])?$")
_SCOPE_MARK = "#"


@dataclass(frozen=True)
class AktenzeichenTeile:
    oe: str
    kennzeichen: str
    jahr: int


def validate_pattern(pattern: str) -> str:
    """Return the pattern if it is usable, else raise ServiceError with the reason."""
    fields: set[str] = set()
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise ServiceError(_("The Aktenzeichen pattern is malformed: %s") % exc) from exc
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in PLACEHOLDERS or conversion:
            raise ServiceError(
                _("Unknown placeholder {%s}; allowed are {oe}, {kennzeichen}, {jahr}, {nr}.")
                % field
            )
        if spec and (field != "nr" or not _NUMBER_SPEC.match(spec)):
            raise ServiceError(_("Only {nr} may carry a width, e.g. {nr:04}."))
        fields.add(field)
    if "nr" not in fields:
        raise ServiceError(_("The Aktenzeichen pattern must contain the running number {nr}."))
    if len(pattern) > 100:
        raise ServiceError(_("The Aktenzeichen pattern is too long."))
    return pattern


def counter_scope(pattern: str, teile: AktenzeichenTeile) -> str:
    """The key under which running numbers are counted for these parts."""
    return _render(pattern, teile, None)


def render(pattern: str, teile: AktenzeichenTeile, nr: int) -> str:
    return _render(pattern, teile, nr)


def _render(pattern: str, teile: AktenzeichenTeile, nr: int | None) -> str:
    out: list[str] = []
    values = {"oe": teile.oe, "kennzeichen": teile.kennzeichen, "jahr": str(teile.jahr)}
    for literal, field, spec, _conversion in string.Formatter().parse(pattern):
        out.append(literal)
        if field is None:
            continue
        if field == "nr":
            out.append(_SCOPE_MARK if nr is None else format(nr, spec or ""))
        else:
            out.append(values[field])
    return "".join(out)
