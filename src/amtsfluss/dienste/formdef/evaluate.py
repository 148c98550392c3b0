"""A whole form at once: which fields are shown, which are required, their values, problems.

Steps and fields are walked in order, so a condition always sees the values of the fields
before it (the loader makes sure it reads no others). A field that is not shown has no value
and no problems, whatever was typed into it before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from amtsfluss.dienste.formdef import conditions
from amtsfluss.dienste.formdef.cleaning import Raw, clean
from amtsfluss.dienste.formdef.keys import key as input_key
from amtsfluss.dienste.formdef.model import Definition, Field, FieldType


@dataclass
class Evaluation:
    #: values of the shown fields by id; a group's value is a list of such dicts
    values: dict[str, Any] = field(default_factory=dict)
    #: translated problems by input key
    problems: dict[str, list[str]] = field(default_factory=dict)
    #: the input keys (of fields and group items) that are shown
    shown: set[str] = field(default_factory=set)
    #: the input keys of the fields that are required now
    required: set[str] = field(default_factory=set)
    #: per step index, the input keys that have problems
    step_problems: dict[int, list[str]] = field(default_factory=dict)

    def first_incomplete_step(self) -> int | None:
        return min((i for i, keys in self.step_problems.items() if keys), default=None)


def item_count(item: Field, counts: Mapping[str, int]) -> int:
    """How many items a group has: as the draft says, within the definition's bounds."""
    wanted = counts.get(item.id, item.repeat_min)
    return min(max(wanted, item.repeat_min), item.repeat_max)


def evaluate(
    definition: Definition, raw: Raw, counts: Mapping[str, int], *, today: date
) -> Evaluation:
    result = _Walk(raw=raw, counts=counts, today=today, result=Evaluation())
    for index, step in enumerate(definition.steps):
        result.step = index
        result.result.step_problems[index] = []
        for item in step.fields:
            result.field(item, result.result.values, result.result.values.get)
    return result.result


@dataclass
class _Walk:
    raw: Raw
    counts: Mapping[str, int]
    today: date
    result: Evaluation
    step: int = 0

    def field(
        self,
        item: Field,
        target: dict[str, Any],
        lookup: conditions.Lookup,
        *,
        group: str = "",
        number: int | None = None,
    ) -> None:
        key = input_key(item.id, group=group, item=number)
        if item.visible_if is not None and not conditions.holds(item.visible_if, lookup):
            return
        self.result.shown.add(key)
        required = item.required or (
            item.required_if is not None and conditions.holds(item.required_if, lookup)
        )
        if required:
            self.result.required.add(key)
        if item.type == FieldType.GROUP:
            target[item.id] = self.group(item, lookup)
            return
        value, problems = clean(item, self.raw, key, required=required, today=self.today)
        for problem_key, message in problems:
            self.problem(problem_key, message)
        if value is not None:
            target[item.id] = value

    def group(self, item: Field, outer: conditions.Lookup) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        wanted = self.counts.get(item.id)
        if wanted is not None and wanted > item.repeat_max:
            self.problem(item.id, _("At most %d entries are possible.") % item.repeat_max)
        for number in range(item_count(item, self.counts)):
            values: dict[str, Any] = {}

            def lookup(ref: str, values: dict[str, Any] = values) -> Any:
                return values.get(ref) if ref in {f.id for f in item.fields} else outer(ref)

            for inner in item.fields:
                self.field(inner, values, lookup, group=item.id, number=number)
            items.append(values)
        return items

    def problem(self, key: str, message: str) -> None:
        self.result.problems.setdefault(key, []).append(message)
        self.result.step_problems.setdefault(self.step, []).append(key)
