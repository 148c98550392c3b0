"""Patterns that a form definition may give for text fields, refused when they could backtrack
for long (ReDoS).

A pattern is at most ``MAX_PATTERN`` characters and is matched against the whole value
(``re.fullmatch``), which is at most ``MAX_VALUE`` characters long. Allowed is a subset of
Python's syntax without the constructs that make matching slow: no repetition inside a repeated
part (``(a+)+``), no alternatives inside a repeated part (``(a|ab)*``), no back-references,
look-arounds or conditionals. What remains backtracks at most polynomially: about
``length ** k`` steps for ``k`` repetitions of varying length (``{2}`` is fixed, ``+``, ``*``,
``?`` and ``{1,30}`` vary), so ``max_length ** k`` of the field must stay below ``MAX_STEPS``.
"""

from __future__ import annotations

import re
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parser
from typing import Any

from django.utils.translation import gettext as _

MAX_PATTERN = 200
MAX_VALUE = 500
MAX_STEPS = 10**7

_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT}
_FORBIDDEN = {
    sre_constants.GROUPREF: "back-references",
    sre_constants.GROUPREF_EXISTS: "conditionals",
    sre_constants.ASSERT: "look-arounds",
    sre_constants.ASSERT_NOT: "look-arounds",
}


class UnsafePattern(ValueError):
    pass


def check_pattern(pattern: str, *, max_length: int = MAX_VALUE) -> re.Pattern[str]:
    """The compiled pattern, or ``UnsafePattern`` with a translated reason."""
    if len(pattern) > MAX_PATTERN:
        raise UnsafePattern(_("the pattern is longer than %d characters") % MAX_PATTERN)
    try:
        parsed = sre_parser.parse(pattern)
        compiled = re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise UnsafePattern(_("the pattern is not a valid regular expression (%s)") % exc) from exc
    variable = _walk(list(parsed), inside_repeat=False)
    if max(max_length, 2) ** variable > MAX_STEPS:
        raise UnsafePattern(
            _("the pattern has too many repetitions of varying length for %d characters")
            % max_length
        )
    return compiled


def _walk(items: list[tuple[Any, Any]], *, inside_repeat: bool) -> int:
    """Refuse the slow constructs; return the number of variable-length repetitions."""
    variable = 0
    for op, argument in items:
        if op in _FORBIDDEN:
            raise UnsafePattern(_("the pattern uses %s, which are not allowed") % _FORBIDDEN[op])
        if op in _REPEATS:
            low, high, inner = argument
            if inside_repeat:
                raise UnsafePattern(_("the pattern repeats a part that repeats itself"))
            variable += int(low != high)
            variable += _walk(list(inner), inside_repeat=True)
        elif op == sre_constants.BRANCH:
            if inside_repeat:
                raise UnsafePattern(_("the pattern repeats a part with alternatives"))
            for branch in argument[1]:
                variable += _walk(list(branch), inside_repeat=inside_repeat)
        elif op == sre_constants.SUBPATTERN:
            variable += _walk(list(argument[-1]), inside_repeat=inside_repeat)
        elif op == sre_constants.ATOMIC_GROUP:
            variable += _walk(list(argument), inside_repeat=inside_repeat)
    return variable
