"""A loaded form definition (docs/forms.md): immutable dataclasses, checked by ``loader``."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from amtsfluss.dienste.formdef.conditions import Condition


class FieldType(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"
    ADDRESS = "address"
    EMAIL = "email"
    IBAN = "iban"
    FILE = "file"
    GROUP = "group"


class Widget(StrEnum):
    RADIO = "radio"
    SELECT = "select"
    CHECKBOX = "checkbox"


#: the parts of an address field: (part, autocomplete token, maximum length)
ADDRESS_PARTS: tuple[tuple[str, str, int], ...] = (
    ("strasse", "address-line1", 150),
    ("zusatz", "address-line2", 150),
    ("plz", "postal-code", 5),
    ("ort", "address-level2", 100),
)


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Field:
    """One field; the attributes that do not belong to its ``type`` keep their defaults."""

    id: str
    type: FieldType
    label: str
    hint: str = ""
    required: bool = False
    visible_if: Condition | None = None
    required_if: Condition | None = None
    autocomplete: str = ""
    # text
    multiline: bool = False
    min_length: int | None = None
    max_length: int | None = None
    pattern: str = ""
    pattern_message: str = ""
    # number
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    integer: bool = False
    # date: ISO dates or "today", "today+30", "today-6570"
    earliest: str = ""
    latest: str = ""
    # choice
    widget: Widget = Widget.RADIO
    options: tuple[Option, ...] = ()
    min_choices: int | None = None
    max_choices: int | None = None
    # file (declared only)
    accept: tuple[str, ...] = ()
    max_megabytes: int | None = None
    # group
    fields: tuple[Field, ...] = ()
    repeat_min: int = 1
    repeat_max: int = 1
    item_label: str = ""

    @property
    def repeatable(self) -> bool:
        return self.type == FieldType.GROUP and self.repeat_max > 1


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    hint: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Definition:
    title: str
    steps: tuple[Step, ...]
    #: every field by id, including those inside groups
    by_id: dict[str, Field] = field(default_factory=dict, compare=False)
    #: the id of the group a field lies in (fields at a step's top level are absent)
    group_of: dict[str, str] = field(default_factory=dict, compare=False)
    #: the index of the step each field lies on
    step_of: dict[str, int] = field(default_factory=dict, compare=False)

    def step_index(self, step_id: str) -> int | None:
        for index, step in enumerate(self.steps):
            if step.id == step_id:
                return index
        return None
