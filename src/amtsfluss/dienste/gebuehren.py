"""Fees of a Leistung, stored as a declarative rule (JSON) and computed with ``Decimal``.

Four kinds (docs/design/dienste.md, "Fees")::

    {"kind": "none"}
    {"kind": "fixed", "amount": "26.00"}
    {"kind": "per_item", "amount": "12.00", "count": "urkunden[].anzahl", "unit": "Urkunde"}
    {"kind": "computed", "items": [{"label": "…", "amount": "36.00", "if": {condition},
                                    "times": "anzahl"}], "minimum": "10.00", "maximum": "500.00"}

Amounts are text with two decimals (never JSON floats). A count names a number field
(``anzahl``), the items of a repeatable group (``urkunden[]``) or a number field summed over
them (``urkunden[].anzahl``). An item's condition is the forms engine's condition format and may
test fields outside groups. Every rule may carry a ``note`` shown in the catalogue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from amtsfluss.dienste.formdef import conditions
from amtsfluss.dienste.formdef.model import Definition, FieldType
from amtsfluss.dienste.formdef.problems import Problems

CENT = Decimal("0.01")
MAX_ITEMS = 20
MAX_TEXT = 200
_AMOUNT = re.compile(r"\d{1,7}\.\d{2}")
_COUNT = re.compile(r"([a-z][a-z0-9_]{0,39})(\[\](?:\.([a-z][a-z0-9_]{0,39}))?)?")
KINDS = ("none", "fixed", "per_item", "computed")
_KEYS = {
    "none": ("kind", "note"),
    "fixed": ("kind", "amount", "note"),
    "per_item": ("kind", "amount", "count", "unit", "note"),
    "computed": ("kind", "items", "minimum", "maximum", "note"),
}


@dataclass(frozen=True)
class FeeItem:
    label: str
    amount: Decimal
    condition: conditions.Condition | None = None
    times: str = ""


@dataclass(frozen=True)
class FeeRule:
    kind: str
    amount: Decimal = Decimal(0)
    count: str = ""
    unit: str = ""
    items: tuple[FeeItem, ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    note: str = ""


@dataclass(frozen=True)
class Fee:
    total: Decimal
    lines: tuple[tuple[str, Decimal], ...]


def money(amount: Decimal) -> str:
    """``Decimal("1234.5")`` → ``1.234,50 €`` (in the active language's number format)."""
    return f"{formats.number_format(amount, 2, use_l10n=True, force_grouping=True)} €"


# --- checking ---------------------------------------------------------------------------------


def check_rule(raw: object, *, definition: Definition | None, path: str = "$") -> FeeRule:
    """The rule, or ``DefinitionError`` naming every problem with its JSON path. Counts and
    conditions are checked against ``definition`` when there is one."""
    problems = Problems()
    rule = _rule(raw, path, problems)
    if rule is not None and definition is not None:
        _check_references(rule, definition, path, problems)
    problems.raise_if_any()
    assert rule is not None  # noqa: S101 (no problems means a rule)
    return rule


def _rule(raw: object, path: str, problems: Problems) -> FeeRule | None:
    if not isinstance(raw, dict) or raw.get("kind") not in KINDS:
        problems.add(f"{path}.kind", _("one of %s is required") % ", ".join(KINDS))
        return None
    kind = raw["kind"]
    unknown = [key for key in raw if key not in _KEYS[kind]]
    if unknown:
        problems.add(path, _("unknown key(s) %s") % ", ".join(repr(str(k)[:40]) for k in unknown))
    note = _text(raw, "note", path, problems)
    if kind == "none":
        return FeeRule(kind=kind, note=note)
    if kind == "fixed":
        return FeeRule(
            kind=kind, amount=_amount(raw.get("amount"), f"{path}.amount", problems), note=note
        )
    if kind == "per_item":
        count = raw.get("count")
        if not isinstance(count, str) or not _COUNT.fullmatch(count):
            problems.add(f"{path}.count", _("a field, group[] or group[].field is required"))
            count = ""
        return FeeRule(
            kind=kind,
            amount=_amount(raw.get("amount"), f"{path}.amount", problems),
            count=count,
            unit=_text(raw, "unit", path, problems),
            note=note,
        )
    return FeeRule(
        kind=kind,
        items=_items(raw.get("items"), f"{path}.items", problems),
        minimum=_optional_amount(raw, "minimum", path, problems),
        maximum=_optional_amount(raw, "maximum", path, problems),
        note=note,
    )


def _items(raw: object, path: str, problems: Problems) -> tuple[FeeItem, ...]:
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_ITEMS:
        problems.add(path, _("a list of 1 to %d items is required") % MAX_ITEMS)
        return ()
    items: list[FeeItem] = []
    for n, entry in enumerate(raw):
        here = f"{path}[{n}]"
        if not isinstance(entry, dict):
            problems.add(here, _("an object is required"))
            continue
        unknown = [key for key in entry if key not in ("label", "amount", "if", "times")]
        if unknown:
            problems.add(
                here, _("unknown key(s) %s") % ", ".join(repr(str(k)[:40]) for k in unknown)
            )
        label = _text(entry, "label", here, problems)
        if not label:
            problems.add(f"{here}.label", _("must not be empty"))
        times = entry.get("times", "")
        if not isinstance(times, str) or (times and not _COUNT.fullmatch(times)):
            problems.add(f"{here}.times", _("a field, group[] or group[].field is required"))
            times = ""
        condition = conditions.parse(entry["if"], f"{here}.if", problems) if "if" in entry else None
        amount = _amount(entry.get("amount"), f"{here}.amount", problems)
        items.append(FeeItem(label=label, amount=amount, condition=condition, times=times))
    return tuple(items)


def _amount(raw: object, path: str, problems: Problems) -> Decimal:
    if not isinstance(raw, str) or not _AMOUNT.fullmatch(raw):
        problems.add(path, _('an amount as text with two decimals ("12.50") is required'))
        return Decimal(0)
    return Decimal(raw)


def _optional_amount(
    raw: dict[str, Any], key: str, path: str, problems: Problems
) -> Decimal | None:
    return _amount(raw[key], f"{path}.{key}", problems) if key in raw else None


def _text(raw: dict[str, Any], key: str, path: str, problems: Problems) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str) or len(value) > MAX_TEXT or any(ord(c) < 32 for c in value):
        problems.add(f"{path}.{key}", _("text of at most %d characters is required") % MAX_TEXT)
        return ""
    return value.strip()


def _check_references(rule: FeeRule, definition: Definition, path: str, problems: Problems) -> None:
    counts = [(f"{path}.count", rule.count)] if rule.count else []
    counts += [(f"{path}.items[{n}].times", i.times) for n, i in enumerate(rule.items) if i.times]
    for here, count in counts:
        problem = _count_problem(count, definition)
        if problem:
            problems.add(here, problem)
    for n, item in enumerate(rule.items):
        if item.condition is None:
            continue
        for ref in conditions.fields_of(item.condition):
            if ref not in definition.by_id or ref in definition.group_of:
                problems.add(
                    f"{path}.items[{n}].if", _("there is no field %r outside a group") % ref[:40]
                )


def _count_problem(count: str, definition: Definition) -> str:
    match = _COUNT.fullmatch(count)
    assert match is not None  # noqa: S101 (checked when read)
    name, brackets, inner = match.groups()
    target = definition.by_id.get(name)
    if brackets:
        if target is None or target.type != FieldType.GROUP:
            return _("there is no group %r") % name
        if inner and definition.by_id.get(inner) not in target.fields:
            return _("the group %(group)r has no field %(field)r") % {"group": name, "field": inner}
        name = inner or ""
    elif name in definition.group_of:
        return _("the field %r lies in a group; write group[].field") % name
    if name and (
        definition.by_id.get(name) is None or definition.by_id[name].type != FieldType.NUMBER
    ):
        return _("%r is not a number field") % name
    return ""


# --- computing --------------------------------------------------------------------------------


def compute(rule: FeeRule, values: dict[str, Any]) -> Fee:
    """The fee for the values of an application (``formdef.evaluate``), rounded to cents."""
    if rule.kind == "none":
        return Fee(Decimal("0.00"), ())
    if rule.kind == "fixed":
        return Fee(_cents(rule.amount), ((_("Fee"), _cents(rule.amount)),))
    if rule.kind == "per_item":
        amount = _cents(rule.amount * count_of(rule.count, values))
        return Fee(amount, ((rule.unit or _("Fee"), amount),))
    lines: list[tuple[str, Decimal]] = []
    for item in rule.items:
        if item.condition is not None and not conditions.holds(item.condition, values.get):
            continue
        times = count_of(item.times, values) if item.times else Decimal(1)
        lines.append((item.label, _cents(item.amount * times)))
    total = sum((amount for _label, amount in lines), Decimal("0.00"))
    if rule.minimum is not None and total < rule.minimum:
        total = rule.minimum
    if rule.maximum is not None and total > rule.maximum:
        total = rule.maximum
    return Fee(_cents(total), tuple(lines))


def count_of(count: str, values: dict[str, Any]) -> Decimal:
    """A count reference's number: a field's value, a group's items, or a field summed."""
    match = _COUNT.fullmatch(count)
    if match is None:
        return Decimal(0)
    name, brackets, inner = match.groups()
    if not brackets:
        return _non_negative(values.get(name))
    items = values.get(name)
    if not isinstance(items, list):
        return Decimal(0)
    if not inner:
        return Decimal(len(items))
    return sum((_non_negative(item.get(inner)) for item in items), Decimal(0))


def _non_negative(value: object) -> Decimal:
    return value if isinstance(value, Decimal) and value > 0 else Decimal(0)


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


# --- describing -------------------------------------------------------------------------------


def describe(rule: FeeRule) -> list[str]:
    """The rule in words, for the catalogue (before anything is filled in)."""
    lines: list[str]
    if rule.kind == "none":
        lines = [_("free of charge")]
    elif rule.kind == "fixed":
        lines = [money(rule.amount)]
    elif rule.kind == "per_item":
        lines = [
            _("%(amount)s per %(unit)s")
            % {"amount": money(rule.amount), "unit": rule.unit or _("item")}
        ]
    else:
        lines = [f"{item.label}: {money(item.amount)}" for item in rule.items]
    return [*lines, rule.note] if rule.note else lines
