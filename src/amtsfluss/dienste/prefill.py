"""Prefill a new draft from the signed-in citizen's profile (docs/forms.md, "Prefill").

The applicant's own fields are found as for the submission (``formdef/antragsteller.py``): by
their ``autocomplete`` token, at a step's top level only (a group's persons are others). The
entries are written as if typed — text per input name, an address as its parts — so the step
pages show them and the applicant can change them before sending. A value longer than its
input allows is left out rather than stored cut.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from amtsfluss.dienste.formdef.cleaning import limit_of
from amtsfluss.dienste.formdef.keys import key as input_key
from amtsfluss.dienste.formdef.model import ADDRESS_PARTS, Definition, Field, FieldType
from amtsfluss.dienste.formdef.raw import RawData

#: autocomplete token of a text or e-mail field → key of ``konto.selectors.prefill_for``
TOKEN_KEYS = {
    "given-name": "vorname",
    "family-name": "nachname",
    "name": "name",
    "email": "email",
    "tel": "telefon",
    "address-line1": "strasse_hausnummer",
    "address-line2": "zusatz",
    "postal-code": "plz",
    "address-level2": "ort",
}
#: part of an address field → key of ``prefill_for``
ADDRESS_KEYS = {"strasse": "strasse_hausnummer", "zusatz": "zusatz", "plz": "plz", "ort": "ort"}
_TEXT_TYPES = (FieldType.TEXT, FieldType.EMAIL)


def _top_level(definition: Definition) -> list[Field]:
    return [item for step in definition.steps for item in step.fields]


def _own_fields(definition: Definition) -> Iterator[Field]:
    """The applicant's own fields: those with a known token; without a field marked ``email``
    the first e-mail field, and without one marked ``street-address`` the first address."""
    fields = _top_level(definition)
    yield from (f for f in fields if f.type in _TEXT_TYPES and f.autocomplete in TOKEN_KEYS)
    if not any(f.autocomplete == "email" for f in fields):
        yield from [f for f in fields if f.type == FieldType.EMAIL][:1]
    addresses = [f for f in fields if f.type == FieldType.ADDRESS]
    marked = [f for f in addresses if f.autocomplete == "street-address"]
    yield from marked or addresses[:1]


def _fits(value: str, item: Field, part: str = "") -> bool:
    return bool(value) and len(value) <= limit_of(item, part)


def prefill_entries(definition: Definition, values: Mapping[str, str]) -> RawData:
    """The entries of a new draft of ``definition`` from profile ``values`` (keys of
    ``prefill_for``); empty for empty values."""
    entries: RawData = {}
    for item in _own_fields(definition):
        name = input_key(item.id)
        if item.type == FieldType.ADDRESS:
            parts = {part: values.get(ADDRESS_KEYS[part], "") for part, _t, _l in ADDRESS_PARTS}
            if not any(_fits(value, item, part) for part, value in parts.items()):
                continue
            for part, value in parts.items():
                entries[f"{name}-{part}"] = value if _fits(value, item, part) else ""
            continue
        key = TOKEN_KEYS.get(item.autocomplete, "email")
        value = values.get(key, "")
        if _fits(value, item):
            entries[name] = value
    return entries
