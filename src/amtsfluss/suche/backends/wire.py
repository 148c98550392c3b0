"""The served backend's messages: what a web machine sends to ``amtsfluss searchd`` and gets back.

Plain JSON, one object per request. Decoding checks every field's type and size, so a request
the server cannot read is answered 400 — never half applied. Both sides use this module; it has
no I/O of its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from amtsfluss.core.models import Mandant
from amtsfluss.suche.backends.base import EngineQuery, EngineResult, Filters, Order
from amtsfluss.suche.entries import IndexEntry
from amtsfluss.suche.query import ParsedQuery

#: a Mandant's slug names its index folder: nothing that could leave the search directory
_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}")
MAX_LIMIT = 1000
MAX_OFFSET = 100_000
#: a replace batch carries the full texts of its Dokumente
MAX_ENTRIES = 20_000


class WireError(ValueError):
    """The message is not one the other side could have sent."""


# --- encoding (web machine → searchd, and the answer back) ----------------------------------
def mandant_ref(mandant: Mandant) -> dict[str, Any]:
    return {"id": mandant.pk, "slug": mandant.slug}


def query_message(mandant: Mandant, query: EngineQuery) -> dict[str, Any]:
    filters = asdict(query.filters)
    for name in ("date_from", "date_to"):
        filters[name] = filters[name].isoformat() if filters[name] else None
    return {
        "mandant": mandant_ref(mandant),
        "parsed": asdict(query.parsed),
        "filters": filters,
        "keys": sorted(query.keys),
        "hidden_akten": list(query.hidden_akten),
        "order": query.order.value,
        "offset": query.offset,
        "limit": query.limit,
    }


def entry_message(entry: IndexEntry) -> dict[str, Any]:
    return {**asdict(entry), "datum": entry.datum.isoformat()}


def replace_message(
    mandant: Mandant,
    entries: Sequence[IndexEntry],
    *,
    akten: Sequence[int],
    dokumente: Sequence[int],
    wait: bool,
) -> dict[str, Any]:
    return {
        "mandant": mandant_ref(mandant),
        "entries": [entry_message(entry) for entry in entries],
        "akten": list(akten),
        "dokumente": list(dokumente),
        "wait": wait,
    }


def result_message(result: EngineResult) -> dict[str, Any]:
    return {"hits": result.hits, "total": result.total, "facets": result.facets}


# --- decoding (with checks: a message comes from another machine) ----------------------------
def _get[T](message: dict[str, Any], name: str, kind: type[T]) -> T:
    value = message.get(name)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise WireError(f"{name}: expected {kind.__name__}")
    return value


def _ints(message: dict[str, Any], name: str) -> tuple[int, ...]:
    values = _get(message, name, list)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise WireError(f"{name}: expected a list of integers")
    return tuple(values)


def _strs(values: object, name: str) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise WireError(f"{name}: expected a list of strings")
    return tuple(values)


def _date(value: object, name: str) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise WireError(f"{name}: expected a date")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise WireError(f"{name}: expected a date") from None


def decode_mandant(message: dict[str, Any]) -> Mandant:
    ref = _get(message, "mandant", dict)
    slug = _get(ref, "slug", str)
    if not _SLUG.fullmatch(slug):
        raise WireError("mandant.slug: not a Mandant's short name")
    return Mandant(pk=_get(ref, "id", int), slug=slug)


def decode_query(message: dict[str, Any]) -> EngineQuery:
    parsed = _get(message, "parsed", dict)
    phrases = _get(parsed, "phrases", list)
    filters = _get(message, "filters", dict)
    order = _get(message, "order", str)
    if order not in Order._value2member_map_:
        raise WireError("order: unknown")
    offset, limit = _get(message, "offset", int), _get(message, "limit", int)
    if not (0 <= offset <= MAX_OFFSET and 0 <= limit <= MAX_LIMIT):
        raise WireError("offset or limit: out of range")
    return EngineQuery(
        parsed=ParsedQuery(
            words=_strs(parsed.get("words"), "parsed.words"),
            phrases=tuple(_strs(phrase, "parsed.phrases") for phrase in phrases),
            prefixes=_strs(parsed.get("prefixes"), "parsed.prefixes"),
            typed=_get(parsed, "typed", bool),
        ),
        filters=Filters(
            unit_ids=_ints(filters, "unit_ids"),
            position=_get(filters, "position", str),
            date_from=_date(filters.get("date_from"), "date_from"),
            date_to=_date(filters.get("date_to"), "date_to"),
            dokumenttypen=_strs(filters.get("dokumenttypen"), "dokumenttypen"),
            akte_status=_get(filters, "akte_status", str),
        ),
        keys=frozenset(_strs(message.get("keys"), "keys")),
        hidden_akten=_ints(message, "hidden_akten"),
        order=Order(order),
        offset=offset,
        limit=limit,
    )


@dataclass(frozen=True)
class Replace:
    """A ``/replace`` request: the arguments of ``Backend.replace``."""

    mandant: Mandant
    entries: list[IndexEntry]
    akten: tuple[int, ...]
    dokumente: tuple[int, ...]
    wait: bool


def decode_replace(message: dict[str, Any]) -> Replace:
    entries = message.get("entries")
    if not isinstance(entries, list) or len(entries) > MAX_ENTRIES:
        raise WireError(f"entries: expected a list of at most {MAX_ENTRIES}")
    return Replace(
        mandant=decode_mandant(message),
        entries=[decode_entry(entry) for entry in entries],
        akten=_ints(message, "akten"),
        dokumente=_ints(message, "dokumente"),
        wait=_get(message, "wait", bool),
    )


def decode_entry(message: object) -> IndexEntry:
    if not isinstance(message, dict):
        raise WireError("entries: expected objects")
    datum = _date(message.get("datum"), "datum")
    if datum is None:
        raise WireError("datum: expected a date")
    return IndexEntry(
        dokument_id=_get(message, "dokument_id", int),
        akte_id=_get(message, "akte_id", int),
        unit_id=_get(message, "unit_id", int),
        positions=_strs(message.get("positions"), "positions"),
        datum=datum,
        dokumenttyp=_get(message, "dokumenttyp", str),
        akte_status=_get(message, "akte_status", str),
        titel=_get(message, "titel", str),
        body=_get(message, "body", str),
        keys=_strs(message.get("keys"), "keys"),
    )


def decode_result(message: dict[str, Any]) -> EngineResult:
    hits = [(int(pk), None if score is None else float(score)) for pk, score in message["hits"]]
    facets = {
        str(name): {str(value): int(count) for value, count in counts.items()}
        for name, counts in message["facets"].items()
    }
    return EngineResult(hits=hits, total=int(message["total"]), facets=facets)
