"""Conditions: a small JSON format for "shown/required when another field has a value".

Nothing is evaluated as code. A condition is one of::

    {"field": "art", "equals": "ehe"}          the value is (or, for check boxes, contains) it
    {"field": "art", "not_equals": "ehe"}
    {"field": "art", "in": ["ehe", "lp"]}      the value is (or contains) one of them
    {"field": "email", "filled": true}         something was entered (false: nothing was)
    {"all": [condition, …]}   {"any": [condition, …]}   {"not": condition}

Compared values are text (choices) or whole numbers written as text; nesting is limited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from amtsfluss.dienste.formdef.problems import Problems

MAX_DEPTH = 5
MAX_OPERANDS = 20
MAX_VALUE_LENGTH = 200
_COMPARISONS = ("equals", "not_equals", "in", "filled")


@dataclass(frozen=True)
class Compare:
    field: str
    op: str
    values: tuple[str, ...] = ()
    filled: bool = True


@dataclass(frozen=True)
class Combine:
    op: str  # "all", "any", "not"
    parts: tuple[Condition, ...]


Condition = Compare | Combine

#: the value of a field by id as the condition sees it (None: empty or not shown)
Lookup = Callable[[str], Any]


def parse(raw: object, path: str, problems: Problems, depth: int = 1) -> Condition | None:
    if depth > MAX_DEPTH:
        problems.add(path, _("conditions are nested more than %d levels deep") % MAX_DEPTH)
        return None
    if not isinstance(raw, dict) or not raw:
        problems.add(path, _("a condition must be an object"))
        return None
    for op in ("all", "any"):
        if op in raw:
            return _parse_list(raw, op, path, problems, depth)
    if "not" in raw:
        if set(raw) != {"not"}:
            problems.add(path, _("“%s” stands alone in its object") % "not")
            return None
        inner = parse(raw["not"], f"{path}.not", problems, depth + 1)
        return Combine("not", (inner,)) if inner is not None else None
    return _parse_compare(raw, path, problems)


def _parse_list(
    raw: dict[str, Any], op: str, path: str, problems: Problems, depth: int
) -> Condition | None:
    items = raw[op]
    if set(raw) != {op}:
        problems.add(path, _("“%s” stands alone in its object") % op)
        return None
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_OPERANDS:
        problems.add(f"{path}.{op}", _("a list of 1 to %d conditions is required") % MAX_OPERANDS)
        return None
    parts = [parse(item, f"{path}.{op}[{n}]", problems, depth + 1) for n, item in enumerate(items)]
    if any(part is None for part in parts):
        return None
    return Combine(op, tuple(p for p in parts if p is not None))


def _parse_compare(raw: dict[str, Any], path: str, problems: Problems) -> Condition | None:
    ops = [key for key in raw if key in _COMPARISONS]
    unknown = sorted(set(raw) - {"field", *_COMPARISONS})
    if unknown:
        problems.add(path, _("unknown key(s) %s") % ", ".join(repr(k[:40]) for k in unknown[:10]))
        return None
    field_id = raw.get("field")
    if not isinstance(field_id, str) or not field_id:
        problems.add(f"{path}.field", _("the field a condition tests is required"))
        return None
    if len(ops) != 1:
        problems.add(path, _("exactly one of %s is required") % ", ".join(_COMPARISONS))
        return None
    op = ops[0]
    value = raw[op]
    if op == "filled":
        if not isinstance(value, bool):
            problems.add(f"{path}.filled", _("true or false is required"))
            return None
        return Compare(field_id, op, filled=value)
    values = value if op == "in" else [value]
    if op == "in" and (not isinstance(value, list) or not 1 <= len(value) <= MAX_OPERANDS):
        problems.add(f"{path}.in", _("a list of 1 to %d values is required") % MAX_OPERANDS)
        return None
    if not all(isinstance(v, str) and 0 < len(v) <= MAX_VALUE_LENGTH for v in values):
        problems.add(f"{path}.{op}", _("compared values must be non-empty text"))
        return None
    return Compare(field_id, op, values=tuple(values))


def fields_of(condition: Condition) -> Iterator[str]:
    """The ids of the fields a condition reads."""
    if isinstance(condition, Compare):
        yield condition.field
        return
    for part in condition.parts:
        yield from fields_of(part)


def holds(condition: Condition, lookup: Lookup) -> bool:
    if isinstance(condition, Combine):
        if condition.op == "all":
            return all(holds(part, lookup) for part in condition.parts)
        if condition.op == "any":
            return any(holds(part, lookup) for part in condition.parts)
        return not holds(condition.parts[0], lookup)
    value = lookup(condition.field)
    present = _texts(value)
    if condition.op == "filled":
        return bool(present) == condition.filled
    matches = bool(present & set(condition.values))
    return not matches if condition.op == "not_equals" else matches


def _texts(value: Any) -> set[str]:
    """A value as the set of texts it equals: a choice, each checked box, a number as text."""
    if value is None or value == "" or value == [] or value == {}:
        return set()
    if isinstance(value, list):
        return {str(item) for item in value}
    if isinstance(value, Decimal):
        return {format(value.normalize(), "f")}
    if isinstance(value, dict):
        return {"filled"}
    return {str(value)}
