"""Entries as typed: read a step's inputs from a posted form, move group items.

Only the inputs the step declares are read (anything else posted is ignored), each cut one
character after its field's limit (so an over-long entry is still reported, but never
stored at length), check boxes at most once per option, NUL as U+FFFD.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from django.http import QueryDict

from amtsfluss.dienste.formdef.cleaning import limit_of
from amtsfluss.dienste.formdef.evaluate import item_count
from amtsfluss.dienste.formdef.keys import key as input_key
from amtsfluss.dienste.formdef.model import ADDRESS_PARTS, Field, FieldType, Step, Widget

RawData = dict[str, str | list[str]]


def inputs(
    item: Field, counts: Mapping[str, int], *, group: str = "", number: int | None = None
) -> Iterator[tuple[str, Field, str]]:
    """(input key, field, address part) of every input a field has now."""
    if item.type == FieldType.GROUP:
        for n in range(item_count(item, counts)):
            for inner in item.fields:
                yield from inputs(inner, counts, group=item.id, number=n)
        return
    key = input_key(item.id, group=group, item=number)
    if item.type == FieldType.ADDRESS:
        for part, _token, _length in ADDRESS_PARTS:
            yield f"{key}-{part}", item, part
    elif item.type != FieldType.FILE:
        yield key, item, ""


def read_step(step: Step, posted: QueryDict, counts: Mapping[str, int]) -> RawData:
    data: RawData = {}
    for item in step.fields:
        for key, field, part in inputs(item, counts):
            if field.type == FieldType.CHOICE and field.widget == Widget.CHECKBOX:
                chosen = posted.getlist(key)[: len(field.options) + 1]
                data[key] = [_storable(value[:41]) for value in dict.fromkeys(chosen)]
            else:
                value = posted.get(key, "") or ""
                data[key] = _storable(value[: limit_of(field, part) + 1])
    return data


def _storable(value: str) -> str:
    """PostgreSQL's jsonb cannot hold NUL: it becomes U+FFFD, which the checks refuse as well."""
    return value.replace("\x00", "\ufffd")


def step_keys(step: Step, counts: Mapping[str, int]) -> set[str]:
    return {key for item in step.fields for key, _field, _part in inputs(item, counts)}


def remove_item(data: RawData, group: Field, number: int, count: int) -> RawData:
    """The entries with item ``number`` of ``group`` removed and the later items moved up."""
    moved: RawData = {}
    prefix = f"{group.id}-"
    for key, value in data.items():
        if not key.startswith(prefix):
            moved[key] = value
            continue
        index_text, _sep, rest = key[len(prefix) :].partition("-")
        if not index_text.isdigit() or int(index_text) >= count:
            continue
        index = int(index_text)
        if index == number:
            continue
        moved[f"{prefix}{index - 1 if index > number else index}-{rest}"] = value
    return moved
