"""A step prepared for the template: one ``Control`` per field, with ids, values, problems.

Fields whose condition reads a field of the same step are always shown (the page works
without JavaScript, so it cannot hide them while the applicant types); their entries count
only when the condition holds. Fields whose condition reads an earlier step are shown only
when it holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from amtsfluss.dienste.formdef import conditions
from amtsfluss.dienste.formdef.evaluate import Evaluation, item_count
from amtsfluss.dienste.formdef.keys import html_id
from amtsfluss.dienste.formdef.keys import key as input_key
from amtsfluss.dienste.formdef.labels import ADDRESS_LABELS
from amtsfluss.dienste.formdef.model import ADDRESS_PARTS, Definition, Field, FieldType
from amtsfluss.dienste.formdef.raw import RawData

_DEFAULT_AUTOCOMPLETE = {FieldType.EMAIL: "email"}


@dataclass
class Control:
    kind: str
    key: str
    id: str
    label: str
    hint: str = ""
    required: bool = False
    value: str = ""
    values: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    autocomplete: str = ""
    inputmode: str = ""
    maxlength: int | None = None
    options: list[tuple[str, str]] = field(default_factory=list)
    parts: list[Control] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    can_add: bool = False
    accept: str = ""
    #: a file field at a step's top level takes uploads (inside a group it does not, yet)
    uploadable: bool = False

    @property
    def hint_id(self) -> str:
        return f"{self.id}-hint" if self.hint else ""

    @property
    def error_id(self) -> str:
        return f"{self.id}-error" if self.problems else ""

    @property
    def describedby(self) -> str:
        return " ".join(filter(None, (self.hint_id, self.error_id)))


@dataclass
class Item:
    number: int
    legend: str
    controls: list[Control]
    can_remove: bool


@dataclass
class StepView:
    controls: list[Control]
    #: (html id, label, message) in page order, for the error summary at the top
    summary: list[tuple[str, str, str]]


def step_view(
    definition: Definition,
    index: int,
    raw: RawData,
    counts: Mapping[str, int],
    evaluation: Evaluation,
    *,
    show_problems: bool,
) -> StepView:
    builder = _Builder(definition, index, raw, counts, evaluation, show_problems)
    controls = [c for item in definition.steps[index].fields if (c := builder.control(item))]
    return StepView(controls=controls, summary=builder.summary)


@dataclass
class _Builder:
    definition: Definition
    index: int
    raw: RawData
    counts: Mapping[str, int]
    evaluation: Evaluation
    show_problems: bool
    summary: list[tuple[str, str, str]] = field(default_factory=list)

    def shown(self, item: Field, key: str) -> bool:
        if item.visible_if is None or key in self.evaluation.shown:
            return True
        refs = conditions.fields_of(item.visible_if)
        return any(self.definition.step_of.get(ref) == self.index for ref in refs)

    def problems(self, key: str, label: str) -> list[str]:
        found = self.evaluation.problems.get(key, []) if self.show_problems else []
        self.summary.extend((html_id(key), label, message) for message in found)
        return list(found)

    def control(self, item: Field, group: str = "", number: int | None = None) -> Control | None:
        key = input_key(item.id, group=group, item=number)
        if not self.shown(item, key):
            return None
        required = item.required or key in self.evaluation.required
        control = Control(
            kind=_kind(item),
            key=key,
            id=html_id(key),
            label=item.label,
            hint=item.hint,
            required=required,
            autocomplete=item.autocomplete or _DEFAULT_AUTOCOMPLETE.get(item.type, ""),
        )
        if item.type == FieldType.GROUP:
            self.group(item, control)
        elif item.type == FieldType.ADDRESS:
            control.parts = [self.part(item, key, part, token) for part, token, _n in ADDRESS_PARTS]
        elif item.type != FieldType.FILE:
            self.entry(item, control)
        else:
            control.accept = ",".join(item.accept)
            files = self.raw.get(key)
            if isinstance(files, list):
                control.values = [name for name in files if isinstance(name, str)]
            control.problems = self.problems(key, item.label)
            control.uploadable = not group
        return control

    def entry(self, item: Field, control: Control) -> None:
        value = self.raw.get(control.key, "")
        if isinstance(value, list):
            control.values = value
        else:
            control.value = value
        control.problems = self.problems(control.key, item.label)
        control.options = [(option.value, option.label) for option in item.options]
        control.maxlength = item.max_length if item.type == FieldType.TEXT else None
        if item.type == FieldType.NUMBER:
            control.inputmode = "numeric" if item.integer else "decimal"
        elif item.type == FieldType.DATE:
            control.inputmode = "numeric"

    def part(self, item: Field, key: str, part: str, token: str) -> Control:
        part_key = f"{key}-{part}"
        label = str(ADDRESS_LABELS[part])
        value = self.raw.get(part_key, "")
        return Control(
            kind="text",
            key=part_key,
            id=html_id(part_key),
            label=label,
            required=part != "zusatz",
            value=value if isinstance(value, str) else "",
            problems=self.problems(part_key, f"{item.label}: {label}"),
            autocomplete=token,
            inputmode="numeric" if part == "plz" else "",
        )

    def group(self, item: Field, control: Control) -> None:
        count = item_count(item, self.counts)
        control.problems = self.problems(item.id, item.label)
        control.can_add = count < item.repeat_max
        for number in range(count):
            inner = [c for f in item.fields if (c := self.control(f, item.id, number))]
            legend = f"{item.item_label or item.label} {number + 1}" if item.repeatable else ""
            control.items.append(
                Item(number, legend, inner, can_remove=item.repeatable and count > item.repeat_min)
            )


def _kind(item: Field) -> str:
    if item.type == FieldType.CHOICE:
        return str(item.widget)
    if item.type == FieldType.TEXT and item.multiline:
        return "textarea"
    return str(item.type)
