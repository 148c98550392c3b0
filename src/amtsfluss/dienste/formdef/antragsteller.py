"""Who applied: the applicant's e-mail address and name, read from a form's values.

A form marks them with its fields' ``autocomplete`` tokens (docs/forms.md, "Applicant"), at a
step's top level (not inside a group: a group's persons are others, e.g. representatives):

* e-mail: the first field with ``"autocomplete": "email"``, else the first field of type
  ``email``;
* name: a field with ``"autocomplete": "name"``; else ``given-name`` and ``family-name``
  joined; else ``organization``.
"""

from __future__ import annotations

from typing import Any

from amtsfluss.dienste.formdef.model import Definition, Field, FieldType

MAX_NAME = 300


def _top_level(definition: Definition) -> list[Field]:
    return [item for step in definition.steps for item in step.fields]


def _text(values: dict[str, Any], item: Field | None) -> str:
    if item is None:
        return ""
    value = values.get(item.id)
    return value.strip() if isinstance(value, str) else ""


def _by_token(fields: list[Field], token: str) -> Field | None:
    return next((item for item in fields if item.autocomplete == token), None)


def applicant_email(definition: Definition, values: dict[str, Any]) -> str:
    fields = _top_level(definition)
    marked = _by_token(fields, "email")
    if marked is not None:
        return _text(values, marked)
    return _text(values, next((i for i in fields if i.type == FieldType.EMAIL), None))


def applicant_name(definition: Definition, values: dict[str, Any]) -> str:
    fields = _top_level(definition)
    name = _text(values, _by_token(fields, "name"))
    if not name:
        parts = (_by_token(fields, "given-name"), _by_token(fields, "family-name"))
        name = " ".join(text for text in (_text(values, item) for item in parts) if text)
    if not name:
        name = _text(values, _by_token(fields, "organization"))
    return name[:MAX_NAME]
