"""Input names: the key of a field's entry in a draft and in the posted form.

``name`` for a field at a step's top level, ``group-2-name`` for one in the third item of a
repeatable group, ``anschrift-plz`` for a part of an address. Ids consist of ``[a-z0-9_]``, so
``-`` separates unambiguously.
"""

from __future__ import annotations


def key(field_id: str, *, item: int | None = None, group: str = "", part: str = "") -> str:
    base = f"{group}-{item}-{field_id}" if group else field_id
    return f"{base}-{part}" if part else base


def html_id(input_key: str) -> str:
    return f"f-{input_key}"
