"""Check a form definition (JSON, docs/forms.md) and turn it into ``model.Definition``.

Every problem is reported with its JSON path (``$.steps[1].fields[0].type``) in one
``DefinitionError``; nothing of a refused definition is used. The definition is data from a
file or the database, never code: conditions are a small JSON format (``conditions``), patterns
a safe subset of regular expressions (``safe_regex``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from amtsfluss.dienste.formdef import conditions
from amtsfluss.dienste.formdef.model import Definition, Field, FieldType, Option, Step, Widget
from amtsfluss.dienste.formdef.problems import Problems
from amtsfluss.dienste.formdef.safe_regex import MAX_VALUE, UnsafePattern, check_pattern

FORMAT = 1
MAX_STEPS = 30
MAX_FIELDS_PER_LIST = 60
MAX_FIELDS = 300
MAX_OPTIONS = 100
MAX_REPEAT = 50
MAX_LABEL = 200
MAX_HINT = 1000
MAX_TEXT = 10_000
DEFAULT_MAX_TEXT = 200
DEFAULT_MAX_MULTILINE = 2000
MAX_NUMBER_DIGITS = 15

_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")
_OPTION_VALUE = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
_DATE_RULE = re.compile(r"\d{4}-\d{2}-\d{2}|today([+-]\d{1,5})?")
_MIME = re.compile(r"[a-z]+/[a-z0-9.+*-]{1,80}")
AUTOCOMPLETE_TOKENS = frozenset(
    {
        "off",
        "name",
        "honorific-prefix",
        "given-name",
        "additional-name",
        "family-name",
        "nickname",
        "organization",
        "organization-title",
        "email",
        "tel",
        "bday",
        "bday-day",
        "bday-month",
        "bday-year",
        "sex",
        "street-address",
        "address-line1",
        "address-line2",
        "postal-code",
        "address-level1",
        "address-level2",
        "country",
        "country-name",
        "url",
    }
)

_COMMON = ("id", "type", "label", "hint", "required", "visible_if", "required_if", "autocomplete")
_TYPE_KEYS: dict[FieldType, tuple[str, ...]] = {
    FieldType.TEXT: ("multiline", "min_length", "max_length", "pattern", "pattern_message"),
    FieldType.NUMBER: ("min", "max", "integer"),
    FieldType.DATE: ("earliest", "latest"),
    FieldType.CHOICE: ("widget", "options", "min_choices", "max_choices"),
    FieldType.ADDRESS: (),
    FieldType.EMAIL: (),
    FieldType.IBAN: (),
    FieldType.FILE: ("accept", "max_megabytes"),
    FieldType.GROUP: ("fields", "min_items", "max_items", "item_label"),
}


def load(raw: object) -> Definition:
    """The checked definition, or ``DefinitionError`` naming every problem with its path."""
    problems = Problems()
    builder = _Builder(problems)
    definition = builder.definition(raw)
    if definition is not None and not problems:
        builder.check_conditions(definition)
    problems.raise_if_any()
    assert definition is not None  # noqa: S101 (no problems means a definition)
    return definition


@dataclass
class _Builder:
    problems: Problems
    by_id: dict[str, Field] = field(default_factory=dict)
    group_of: dict[str, str] = field(default_factory=dict)
    step_of: dict[str, int] = field(default_factory=dict)
    order: dict[str, int] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)

    # --- structure ----------------------------------------------------------------------------

    def definition(self, raw: object) -> Definition | None:
        obj = self._object(raw, "$", ("format", "title", "steps"), required=("format", "steps"))
        if obj is None:
            return None
        if obj.get("format") != FORMAT:
            self.problems.add("$.format", _("the format must be %d") % FORMAT)
        title = self._text(obj, "title", "$", limit=MAX_LABEL)
        steps_raw = obj.get("steps")
        if not isinstance(steps_raw, list) or not 1 <= len(steps_raw) <= MAX_STEPS:
            self.problems.add("$.steps", _("a list of 1 to %d steps is required") % MAX_STEPS)
            return None
        steps: list[Step] = []
        step_ids: set[str] = set()
        for index, step_raw in enumerate(steps_raw):
            step = self._step(step_raw, f"$.steps[{index}]", index)
            if step is None:
                continue
            if step.id in step_ids:
                self.problems.add(f"$.steps[{index}].id", _("the id %r is used twice") % step.id)
            step_ids.add(step.id)
            steps.append(step)
        if len(self.by_id) > MAX_FIELDS:
            self.problems.add("$", _("the form has more than %d fields") % MAX_FIELDS)
        return Definition(
            title=title,
            steps=tuple(steps),
            by_id=self.by_id,
            group_of=self.group_of,
            step_of=self.step_of,
        )

    def _step(self, raw: object, path: str, index: int) -> Step | None:
        obj = self._object(raw, path, ("id", "title", "hint", "fields"), ("id", "title", "fields"))
        if obj is None:
            return None
        step_id = self._id(obj.get("id"), f"{path}.id")
        title = self._text(obj, "title", path, limit=MAX_LABEL, required=True)
        hint = self._text(obj, "hint", path, limit=MAX_HINT)
        fields = self._fields(obj.get("fields"), f"{path}.fields", index, group=None)
        return Step(id=step_id, title=title, hint=hint, fields=fields)

    def _fields(self, raw: object, path: str, step: int, group: str | None) -> tuple[Field, ...]:
        if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_FIELDS_PER_LIST:
            self.problems.add(path, _("a list of 1 to %d fields is required") % MAX_FIELDS_PER_LIST)
            return ()
        found = [self._field(item, f"{path}[{n}]", step, group) for n, item in enumerate(raw)]
        return tuple(f for f in found if f is not None)

    def _field(self, raw: object, path: str, step: int, group: str | None) -> Field | None:
        if not isinstance(raw, dict):
            self.problems.add(path, _("a field must be an object"))
            return None
        try:
            kind = FieldType(str(raw.get("type")))
        except ValueError:
            self.problems.add(
                f"{path}.type",
                _("unknown type %(type)r; the types are: %(types)s")
                % {"type": str(raw.get("type"))[:40], "types": ", ".join(FieldType)},
            )
            return None
        obj = self._object(raw, path, _COMMON + _TYPE_KEYS[kind], ("id", "type", "label"))
        if obj is None:
            return None
        field_id = self._id(obj.get("id"), f"{path}.id")
        if field_id in self.by_id:
            self.problems.add(f"{path}.id", _("the id %r is used twice") % field_id)
        common: dict[str, Any] = {
            "id": field_id,
            "type": kind,
            "label": self._text(obj, "label", path, limit=MAX_LABEL, required=True),
            "hint": self._text(obj, "hint", path, limit=MAX_HINT),
            "required": self._bool(obj, "required", path),
            "visible_if": self._condition(obj, "visible_if", path),
            "required_if": self._condition(obj, "required_if", path),
            "autocomplete": self._autocomplete(obj, path),
        }
        self.order[field_id] = len(self.order)
        self.paths[field_id] = path
        self.step_of[field_id] = step
        if group is not None:
            self.group_of[field_id] = group
        specific = _SPECIFIC[kind](self, obj, path, step, group, field_id)
        built = Field(**common, **specific)
        self.by_id.setdefault(field_id, built)
        return built

    # --- per type ------------------------------------------------------------------------------

    def _text_field(self, obj: dict[str, Any], path: str, *_args: object) -> dict[str, Any]:
        multiline = self._bool(obj, "multiline", path)
        default = DEFAULT_MAX_MULTILINE if multiline else DEFAULT_MAX_TEXT
        max_length = self._int(obj, "max_length", path, 1, MAX_TEXT)
        min_length = self._int(obj, "min_length", path, 0, MAX_TEXT)
        max_length = default if max_length is None else max_length
        if min_length is not None and min_length > max_length:
            self.problems.add(f"{path}.min_length", _("is larger than max_length"))
        pattern = self._text(obj, "pattern", path, limit=10_000)
        if pattern:
            try:
                check_pattern(pattern, max_length=max_length)
            except UnsafePattern as exc:
                self.problems.add(f"{path}.pattern", str(exc))
            if max_length > MAX_VALUE:
                self.problems.add(
                    f"{path}.max_length",
                    _("a field with a pattern holds at most %d characters") % MAX_VALUE,
                )
        return {
            "multiline": multiline,
            "min_length": min_length,
            "max_length": max_length,
            "pattern": pattern,
            "pattern_message": self._text(obj, "pattern_message", path, limit=MAX_LABEL),
        }

    def _number_field(self, obj: dict[str, Any], path: str, *_args: object) -> dict[str, Any]:
        minimum = self._decimal(obj, "min", path)
        maximum = self._decimal(obj, "max", path)
        if minimum is not None and maximum is not None and minimum > maximum:
            self.problems.add(f"{path}.min", _("is larger than max"))
        return {"minimum": minimum, "maximum": maximum, "integer": self._bool(obj, "integer", path)}

    def _date_field(self, obj: dict[str, Any], path: str, *_args: object) -> dict[str, Any]:
        rules = {}
        for key in ("earliest", "latest"):
            value = self._text(obj, key, path, limit=20)
            if value and not _DATE_RULE.fullmatch(value):
                self.problems.add(
                    f"{path}.{key}", _("a date (2026-01-31) or today, today+N, today-N is required")
                )
            rules[key] = value
        return rules

    def _choice_field(self, obj: dict[str, Any], path: str, *_args: object) -> dict[str, Any]:
        try:
            widget = Widget(obj.get("widget", Widget.RADIO))
        except ValueError:
            self.problems.add(f"{path}.widget", _("must be radio, select or checkbox"))
            widget = Widget.RADIO
        options = self._options(obj.get("options"), f"{path}.options")
        min_choices = self._int(obj, "min_choices", path, 0, MAX_OPTIONS)
        max_choices = self._int(obj, "max_choices", path, 1, MAX_OPTIONS)
        if widget != Widget.CHECKBOX and (min_choices is not None or max_choices is not None):
            self.problems.add(path, _("min_choices and max_choices belong to check boxes"))
        return {
            "widget": widget,
            "options": options,
            "min_choices": min_choices,
            "max_choices": max_choices,
        }

    def _options(self, raw: object, path: str) -> tuple[Option, ...]:
        if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_OPTIONS:
            self.problems.add(path, _("a list of 1 to %d options is required") % MAX_OPTIONS)
            return ()
        options: list[Option] = []
        for n, item in enumerate(raw):
            obj = self._object(item, f"{path}[{n}]", ("value", "label"), ("value", "label"))
            if obj is None:
                continue
            value = obj.get("value")
            if not isinstance(value, str) or not _OPTION_VALUE.fullmatch(value):
                self.problems.add(
                    f"{path}[{n}].value", _("lower-case letters, digits, - and _ are required")
                )
                continue
            if any(option.value == value for option in options):
                self.problems.add(f"{path}[{n}].value", _("the value %r is used twice") % value)
            label = self._text(obj, "label", f"{path}[{n}]", limit=MAX_LABEL, required=True)
            options.append(Option(value=value, label=label))
        return tuple(options)

    def _file_field(self, obj: dict[str, Any], path: str, *_args: object) -> dict[str, Any]:
        accept = obj.get("accept", [])
        if not isinstance(accept, list) or not all(
            isinstance(m, str) and _MIME.fullmatch(m) for m in accept
        ):
            self.problems.add(f"{path}.accept", _("a list of media types is required"))
            accept = []
        return {
            "accept": tuple(accept),
            "max_megabytes": self._int(obj, "max_megabytes", path, 1, 100),
        }

    def _group_field(
        self, obj: dict[str, Any], path: str, step: int, group: str | None, field_id: str
    ) -> dict[str, Any]:
        if group is not None:
            self.problems.add(f"{path}.type", _("a group cannot lie inside another group"))
            return {}
        low = self._int(obj, "min_items", path, 0, MAX_REPEAT)
        high = self._int(obj, "max_items", path, 1, MAX_REPEAT)
        low = 1 if low is None else low
        high = max(low, 1) if high is None else high
        if low > high:
            self.problems.add(f"{path}.min_items", _("is larger than max_items"))
        return {
            "fields": self._fields(obj.get("fields"), f"{path}.fields", step, field_id),
            "repeat_min": low,
            "repeat_max": high,
            "item_label": self._text(obj, "item_label", path, limit=MAX_LABEL),
        }

    # --- conditions ----------------------------------------------------------------------------

    def check_conditions(self, definition: Definition) -> None:
        """Each condition reads fields before its own, on this or an earlier step, outside
        any group or in its own group — so nothing is circular and every value is known."""
        for field_id, item in definition.by_id.items():
            for key in ("visible_if", "required_if"):
                condition = getattr(item, key)
                if condition is None:
                    continue
                for ref in conditions.fields_of(condition):
                    problem = self._reference_problem(field_id, ref)
                    if problem:
                        self.problems.add(f"{self.paths[field_id]}.{key}", problem)

    def _reference_problem(self, field_id: str, ref: str) -> str:
        target = self.by_id.get(ref)
        if target is None:
            return _("there is no field %r") % ref[:40]
        if target.type in (FieldType.GROUP, FieldType.FILE):
            return _("a condition cannot test the %(type)s field %(ref)r") % {
                "type": target.type,
                "ref": ref,
            }
        if self.order[ref] >= self.order[field_id]:
            return _("the field %r comes later in the form; a condition tests earlier ones") % ref
        ref_group = self.group_of.get(ref)
        if ref_group is not None and ref_group != self.group_of.get(field_id):
            return _("the field %r lies in a group of its own") % ref
        return ""

    # --- values --------------------------------------------------------------------------------

    def _object(
        self, raw: object, path: str, allowed: tuple[str, ...], required: tuple[str, ...]
    ) -> dict[str, Any] | None:
        if not isinstance(raw, dict):
            self.problems.add(path, _("an object is required"))
            return None
        unknown = [key for key in raw if key not in allowed]
        if unknown:
            self.problems.add(
                path,
                _("unknown key(s) %(unknown)s; allowed: %(allowed)s")
                % {
                    "unknown": ", ".join(repr(str(k)[:40]) for k in unknown[:10]),
                    "allowed": ", ".join(allowed),
                },
            )
        for key in required:
            if key not in raw:
                self.problems.add(f"{path}.{key}", _("is required"))
        return raw

    def _id(self, raw: object, path: str) -> str:
        if not isinstance(raw, str) or not _ID.fullmatch(raw):
            self.problems.add(
                path, _("an id of lower-case letters, digits and _ (at most 40) is required")
            )
            return "?"
        return raw

    def _text(
        self, obj: dict[str, Any], key: str, path: str, *, limit: int, required: bool = False
    ) -> str:
        value = obj.get(key, "")
        if not isinstance(value, str):
            self.problems.add(f"{path}.{key}", _("text is required"))
            return ""
        if len(value) > limit:
            self.problems.add(f"{path}.{key}", _("longer than %d characters") % limit)
        if any(ord(ch) < 32 and ch not in "\n\t" for ch in value):
            self.problems.add(f"{path}.{key}", _("contains control characters"))
        if required and not value.strip():
            self.problems.add(f"{path}.{key}", _("must not be empty"))
        return value.strip()

    def _bool(self, obj: dict[str, Any], key: str, path: str) -> bool:
        value = obj.get(key, False)
        if not isinstance(value, bool):
            self.problems.add(f"{path}.{key}", _("true or false is required"))
            return False
        return value

    def _int(self, obj: dict[str, Any], key: str, path: str, low: int, high: int) -> int | None:
        value = obj.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problems.add(
                f"{path}.{key}",
                _("a whole number from %(low)d to %(high)d is required")
                % {"low": low, "high": high},
            )
            return None
        return value

    def _decimal(self, obj: dict[str, Any], key: str, path: str) -> Decimal | None:
        value = obj.get(key)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        try:
            if not isinstance(value, str) or len(value) > MAX_NUMBER_DIGITS + 2:
                raise InvalidOperation
            number = Decimal(value)
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            self.problems.add(
                f"{path}.{key}", _("a number (as a whole number or text) is required")
            )
            return None
        return number

    def _condition(self, obj: dict[str, Any], key: str, path: str) -> conditions.Condition | None:
        if key not in obj:
            return None
        return conditions.parse(obj[key], f"{path}.{key}", self.problems)

    def _autocomplete(self, obj: dict[str, Any], path: str) -> str:
        value = obj.get("autocomplete", "")
        if value and value not in AUTOCOMPLETE_TOKENS:
            self.problems.add(f"{path}.autocomplete", _("unknown token %r") % str(value)[:40])
            return ""
        return str(value)


def _nothing(*_args: object) -> dict[str, Any]:
    return {}


_SPECIFIC: dict[FieldType, Callable[..., dict[str, Any]]] = {
    FieldType.TEXT: _Builder._text_field,
    FieldType.NUMBER: _Builder._number_field,
    FieldType.DATE: _Builder._date_field,
    FieldType.CHOICE: _Builder._choice_field,
    FieldType.ADDRESS: _nothing,
    FieldType.EMAIL: _nothing,
    FieldType.IBAN: _nothing,
    FieldType.FILE: _Builder._file_field,
    FieldType.GROUP: _Builder._group_field,
}
