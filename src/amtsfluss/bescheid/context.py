"""What a Bescheid template sees: plain values built from the Vorgang, its Antrag and fee.

Nothing here is a model instance (the sandbox must not reach methods or relations); form data
are shown as text with the labels of the form definition (choices by their label).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from amtsfluss.akte.models import Vorgang
from amtsfluss.bescheid.integration import AntragFacts, ForderungFacts
from amtsfluss.dienste.formdef.model import Definition, Field, FieldType
from amtsfluss.dienste.formdef.summary import display
from amtsfluss.dienste.models import Leistung


@dataclass(frozen=True)
class Row:
    label: str
    text: str
    level: int = 0


def form_texts(definition: Definition, daten: dict[str, Any]) -> tuple[dict[str, Any], list[Row]]:
    """The form data as text per field id (groups as lists of such dicts) and as rows in the
    order of the form, each with its label."""
    rows: list[Row] = []
    fields = tuple(item for step in definition.steps for item in step.fields)
    return _texts(fields, daten, 0, rows), rows


def _texts(fields: tuple[Field, ...], values: Any, level: int, rows: list[Row]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not isinstance(values, dict):
        return out
    for item in fields:
        if item.type == FieldType.FILE or item.id not in values:
            continue
        value = values[item.id]
        if item.type == FieldType.GROUP:
            entries = value if isinstance(value, list) else [value]
            texts = []
            for number, entry in enumerate(entries, 1):
                heading = f"{item.item_label or item.label} {number}" if item.repeatable else ""
                rows.append(Row(heading or item.label, "", level))
                texts.append(_texts(item.fields, entry, level + 1, rows))
            out[item.id] = texts if item.repeatable else (texts[0] if texts else {})
            continue
        text = _display(item, value)
        out[item.id] = text
        rows.append(Row(item.label, text, level))
    return out


def _display(item: Field, value: Any) -> str:
    """The value in words; stored JSON that does not fit the field is shown as it is."""
    try:
        return display(item, value)
    except (KeyError, TypeError, ValueError, AttributeError):
        return str(value)


def bescheid_context(
    *,
    vorgang: Vorgang,
    leistung: Leistung,
    titel: str,
    tenor_zusatz: str,
    begruendung: str,
    antrag: AntragFacts | None,
    forderung: ForderungFacts | None,
    heute: date | None = None,
) -> dict[str, Any]:
    daten: dict[str, Any] = {}
    rows: list[Row] = []
    if antrag is not None:
        daten, rows = form_texts(antrag.definition, antrag.values)
    return {
        "mandant": {"name": vorgang.mandant.name},
        "aktenzeichen": vorgang.akte.aktenzeichen,
        "betreff": vorgang.betreff,
        "eingangsdatum": vorgang.eingangsdatum,
        "heute": heute or timezone.localdate(),
        "leistung": {"name": leistung.name, "leika": leistung.leika_schluessel},
        "antrag": {
            "name": antrag.name,
            "email": antrag.email,
            "eingereicht_am": antrag.eingereicht_am,
            "gebuehr": antrag.gebuehr,
        }
        if antrag
        else {},
        "daten": daten,
        "felder": [{"label": r.label, "text": r.text, "ebene": r.level} for r in rows],
        "gebuehr": {
            "betrag": forderung.betrag,
            "kassenzeichen": forderung.kassenzeichen,
            "zweck": forderung.zweck,
            "faellig_am": forderung.faellig_am,
        }
        if forderung
        else None,
        "bescheid": {"titel": titel, "tenor_zusatz": tenor_zusatz, "begruendung": begruendung},
    }
