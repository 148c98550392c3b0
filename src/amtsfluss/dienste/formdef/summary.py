"""The entries of a whole form in words, step by step, for the summary page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from amtsfluss.dienste.formdef.evaluate import Evaluation
from amtsfluss.dienste.formdef.model import Definition, Field, FieldType


@dataclass(frozen=True)
class Row:
    label: str
    text: str
    level: int = 0


@dataclass(frozen=True)
class StepSummary:
    number: int
    title: str
    rows: list[Row]


def summarize(definition: Definition, evaluation: Evaluation) -> list[StepSummary]:
    return [
        StepSummary(number, step.title, _rows(step.fields, evaluation.values, 0))
        for number, step in enumerate(definition.steps, 1)
    ]


def _rows(fields: tuple[Field, ...], values: dict[str, Any], level: int) -> list[Row]:
    rows: list[Row] = []
    for item in fields:
        if item.id not in values and item.type != FieldType.GROUP:
            continue
        if item.type == FieldType.GROUP:
            for number, entry in enumerate(values.get(item.id, []), 1):
                heading = (
                    f"{item.item_label or item.label} {number}" if item.repeatable else item.label
                )
                rows.append(Row(heading, "", level))
                rows.extend(_rows(item.fields, entry, level + 1))
            continue
        rows.append(Row(item.label, display(item, values[item.id]), level))
    return rows


def display(item: Field, value: Any) -> str:
    if isinstance(value, Decimal):
        return str(formats.number_format(value, use_l10n=True))
    if isinstance(value, date):
        return str(formats.date_format(value, "SHORT_DATE_FORMAT"))
    if item.type == FieldType.CHOICE:
        labels = {option.value: option.label for option in item.options}
        chosen = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in chosen)
    if item.type == FieldType.ADDRESS:
        lines = [value["strasse"], value["zusatz"], f"{value['plz']} {value['ort']}"]
        return ", ".join(line for line in lines if line)
    if item.type == FieldType.FILE:
        return ", ".join(value)
    if item.type == FieldType.IBAN:
        return " ".join(value[i : i + 4] for i in range(0, len(value), 4))
    return str(value) if value != "" else _("(none)")
