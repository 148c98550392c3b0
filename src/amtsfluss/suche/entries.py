"""Index entries built from the database: one per Dokument, with its Akte's reader keys."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from amtsfluss.akte.models import Akte, Beteiligung, Dokument, Vorgang
from amtsfluss.suche.keys import AkteFacts, akte_keys
from amtsfluss.suche.models import Dokumenttext


@dataclass(frozen=True)
class IndexEntry:
    dokument_id: int
    akte_id: int
    unit_id: int  #: the Akte's federführende OE
    positions: tuple[str, ...]  #: the Aktenplan Kennzeichen and all above it
    datum: date
    dokumenttyp: str
    akte_status: str
    titel: str
    body: str  #: Absender/Empfänger and the extracted text
    keys: tuple[str, ...]


def positions_of(kennzeichen: str) -> tuple[str, ...]:
    """``10.38.50`` → (``10``, ``10.38``, ``10.38.50``): the position and its ancestors."""
    parts = kennzeichen.split(".")
    return tuple(".".join(parts[: n + 1]) for n in range(len(parts)))


def entries_for_akten(akte_ids: Iterable[int]) -> list[IndexEntry]:
    ids = Dokument.objects.filter(vorgang__akte_id__in=list(akte_ids)).values_list("pk", flat=True)
    return entries_for(list(ids))


def entries_for(dokument_ids: Sequence[int]) -> list[IndexEntry]:
    """Entries for the Dokumente ``dokument_ids`` in a constant number of queries."""
    rows = list(
        Dokument.objects.filter(pk__in=dokument_ids)
        .order_by("pk")
        .values_list(
            "pk", "vorgang__akte_id", "dokumentdatum", "dokumenttyp", "titel", "absender_empfaenger"
        )
    )
    akte_ids = {row[1] for row in rows}
    akten = _akten(akte_ids)
    texts = current_texts([row[0] for row in rows])
    entries = []
    for pk, akte_id, datum, typ, titel, absender in rows:
        akte = akten[akte_id]
        entries.append(
            IndexEntry(
                dokument_id=pk,
                akte_id=akte_id,
                unit_id=akte.unit_id,
                positions=akte.positions,
                datum=datum,
                dokumenttyp=typ,
                akte_status=akte.status,
                titel=titel,
                body=f"{absender}\n{texts.get(pk, '')}".strip(),
                keys=akte.keys,
            )
        )
    return entries


@dataclass(frozen=True)
class _AkteIndexData:
    unit_id: int
    positions: tuple[str, ...]
    status: str
    keys: tuple[str, ...]


def _akten(akte_ids: set[int]) -> dict[int, _AkteIndexData]:
    vorgaenge: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
    for akte_id, unit, user in Vorgang.objects.filter(akte_id__in=akte_ids).values_list(
        "akte_id", "bearbeitende_oe_id", "bearbeiter_id"
    ):
        vorgaenge[akte_id].append((unit, user))
    grants: dict[int, list[tuple[int, int | None, int | None]]] = defaultdict(list)
    for pk, akte_id, unit, user in Beteiligung.objects.filter(akte_id__in=akte_ids).values_list(
        "pk", "akte_id", "unit_id", "user_id"
    ):
        grants[akte_id].append((pk, unit, user))
    found = {}
    for pk, level, unit, status, kennzeichen in Akte.objects.filter(pk__in=akte_ids).values_list(
        "pk", "vertraulichkeit", "federfuehrende_oe_id", "status", "position__kennzeichen"
    ):
        facts = AkteFacts(
            vertraulichkeit=level,
            federfuehrende_oe_id=unit,
            vorgaenge=tuple(vorgaenge[pk]),
            grants=tuple(grants[pk]),
        )
        found[pk] = _AkteIndexData(
            unit_id=unit, positions=positions_of(kennzeichen), status=status, keys=akte_keys(facts)
        )
    return found


def current_texts(dokument_ids: list[int]) -> dict[int, str]:
    """Per Dokument the text of its newest current version that has one."""
    found: dict[int, str] = {}
    rows = (
        Dokumenttext.objects.filter(
            dokumentversion__dokument_id__in=dokument_ids, dokumentversion__ist_aktuell=True
        )
        .order_by("dokumentversion__dokument_id", "-dokumentversion__nummer", "-pk")
        .values_list("dokumentversion__dokument_id", "text")
    )
    for dokument_id, text in rows:
        found.setdefault(dokument_id, text)
    return found
