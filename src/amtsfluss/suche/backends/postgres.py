"""The backend for many web machines: PostgreSQL full text in the table ``suche_eintrag``.

``tsvector`` with the ``german`` configuration (titel weight A) and ``reader_keys text[]``,
both under GIN; the permission is ``reader_keys && <principal keys>`` in the same statement.
Text is folded and split into words in Python before PostgreSQL sees it (``unaccent`` may not
be installed, and PostgreSQL's parser keeps e-mail addresses, URLs and numbers whole).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction

from amtsfluss.core.folding import fold
from amtsfluss.core.models import Mandant
from amtsfluss.suche.backends.base import FACETS, EngineQuery, EngineResult, Order
from amtsfluss.suche.entries import IndexEntry
from amtsfluss.suche.query import MAX_TERMS
from amtsfluss.suche.text import WORD

_UPSERT = """
INSERT INTO suche_eintrag (dokument_id, mandant_id, akte_id, unit_id, positions, datum, jahr,
    dokumenttyp, akte_status, reader_keys, vektor)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
    setweight(to_tsvector('german', %s), 'A') || to_tsvector('german', %s))
ON CONFLICT (dokument_id) DO UPDATE SET mandant_id = EXCLUDED.mandant_id,
    akte_id = EXCLUDED.akte_id, unit_id = EXCLUDED.unit_id, positions = EXCLUDED.positions,
    datum = EXCLUDED.datum, jahr = EXCLUDED.jahr, dokumenttyp = EXCLUDED.dokumenttyp,
    akte_status = EXCLUDED.akte_status, reader_keys = EXCLUDED.reader_keys,
    vektor = EXCLUDED.vektor
"""


def _row(mandant: Mandant, entry: IndexEntry) -> tuple[Any, ...]:
    return (
        entry.dokument_id,
        mandant.pk,
        entry.akte_id,
        entry.unit_id,
        list(entry.positions),
        entry.datum,
        entry.datum.year,
        entry.dokumenttyp,
        entry.akte_status,
        list(entry.keys),
        _words(entry.titel),
        f"{_GAP} {_words(entry.body)}",
    )


#: German stop words before the body: each takes a position, and a phrase has at most
#: MAX_TERMS words, so no phrase runs from the title's end into the body's beginning — not
#: even one with stop words of its own (tantivy keeps title and body in two fields)
_GAP = " ".join(["und"] * MAX_TERMS)


def _words(text: str) -> str:
    """The words of ``text`` as the query parser and tantivy's tokenizer see them (letters and
    digits), folded. PostgreSQL's own parser would keep e-mail addresses, host names, decimals
    and file numbers whole (``max.mustermann@example.de`` one token), so they would not be
    found by their parts as on tantivy."""
    return " ".join(WORD.findall(fold(text)))


class PostgresBackend:
    name = "postgres"

    def check(self) -> None:
        """The index lives in the database (checked on its own); this needs its ``german``
        text search configuration."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT 'german'::regconfig")

    def replace(
        self,
        mandant: Mandant,
        entries: Sequence[IndexEntry],
        *,
        akten: Sequence[int] = (),
        dokumente: Sequence[int] = (),
        wait: bool = False,
    ) -> bool:
        kept = [e.dokument_id for e in entries]
        with transaction.atomic(), connection.cursor() as cursor:
            if akten:
                cursor.execute(
                    "DELETE FROM suche_eintrag WHERE mandant_id = %s AND akte_id = ANY(%s)"
                    " AND NOT dokument_id = ANY(%s)",
                    [mandant.pk, list(akten), kept],
                )
            if dokumente:
                cursor.execute(
                    "DELETE FROM suche_eintrag WHERE mandant_id = %s AND dokument_id = ANY(%s)"
                    " AND NOT dokument_id = ANY(%s)",
                    [mandant.pk, list(dokumente), kept],
                )
            if entries:
                cursor.executemany(_UPSERT, [_row(mandant, e) for e in entries])
        return True

    def clear(self, mandant: Mandant) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM suche_eintrag WHERE mandant_id = %s", [mandant.pk])

    def search(self, mandant: Mandant, query: EngineQuery) -> EngineResult:
        if not query.keys or query.parsed.matches_nothing:
            return EngineResult(hits=[], total=0)
        where, params = compile_where(mandant, query)
        text = _tsquery(query)
        by_date = query.order == Order.DATE or text is None
        score = "NULL::real" if by_date else "ts_rank_cd(e.vektor, q.query)"
        order = "e.datum DESC, e.dokument_id DESC" if by_date else "score DESC, e.dokument_id"
        source = _source(text)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT e.dokument_id, {score} AS score FROM {source[0]} WHERE {where} "  # noqa: S608 (fixed SQL fragments; values are parameters)
                f"ORDER BY {order} LIMIT %s OFFSET %s",
                [*source[1], *params, query.limit, query.offset],
            )
            hits = [(int(pk), None if s is None else float(s)) for pk, s in cursor.fetchall()]
            cursor.execute(
                f"SELECT e.unit_id::text, e.dokumenttyp, e.jahr::text, count(*), "  # noqa: S608
                f"GROUPING(e.unit_id), GROUPING(e.dokumenttyp), GROUPING(e.jahr) "
                f"FROM {source[0]} WHERE {where} "
                "GROUP BY GROUPING SETS ((e.unit_id), (e.dokumenttyp), (e.jahr), ())",
                [*source[1], *params],
            )
            total, facets = _facets(cursor.fetchall())
        return EngineResult(hits=hits, total=total, facets=facets)


def _source(text: tuple[str, list[Any]] | None) -> tuple[str, list[Any]]:
    if text is None:
        return "suche_eintrag e", []
    return f"suche_eintrag e, (SELECT {text[0]} AS query) q", text[1]


def _tsquery(query: EngineQuery) -> tuple[str, list[Any]] | None:
    """The tsquery of the words, phrases and prefixes (AND), or None for "match all"."""
    parts: list[str] = []
    params: list[Any] = []
    for word in query.parsed.words:
        parts.append("plainto_tsquery('german', %s)")
        params.append(word)
    for phrase in query.parsed.phrases:
        parts.append("phraseto_tsquery('german', %s)")
        params.append(" ".join(phrase))
    for prefix in query.parsed.prefixes:
        parts.append("to_tsquery('simple', %s)")
        params.append(f"'{prefix}':*")  # the prefix holds letters and digits only
    if not parts:
        return None
    return " && ".join(parts), params


def compile_where(mandant: Mandant, query: EngineQuery) -> tuple[str, list[Any]]:
    """The WHERE clause: Mandant, permission, text match and filters."""
    conditions = ["e.mandant_id = %s", "e.reader_keys && %s::text[]"]
    params: list[Any] = [mandant.pk, sorted(query.keys)]
    if not query.parsed.match_all:
        conditions.append("e.vektor @@ q.query")
    if query.hidden_akten:
        conditions.append("NOT e.akte_id = ANY(%s)")
        params.append(list(query.hidden_akten))
    f = query.filters
    optional: list[tuple[bool, str, Any]] = [
        (bool(f.unit_ids), "e.unit_id = ANY(%s)", list(f.unit_ids)),
        (bool(f.position), "e.positions @> ARRAY[%s]::text[]", f.position),
        (f.date_from is not None, "e.datum >= %s", f.date_from),
        (f.date_to is not None, "e.datum <= %s", f.date_to),
        (bool(f.dokumenttypen), "e.dokumenttyp = ANY(%s)", list(f.dokumenttypen)),
        (bool(f.akte_status), "e.akte_status = %s", f.akte_status),
    ]
    for active, condition, value in optional:
        if active:
            conditions.append(condition)
            params.append(value)
    return " AND ".join(conditions), params


def _facets(rows: list[tuple[Any, ...]]) -> tuple[int, dict[str, dict[str, int]]]:
    facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    total = 0
    for unit, typ, year, count, g_unit, g_typ, g_year in rows:
        if g_unit and g_typ and g_year:
            total = int(count)
        elif not g_unit:
            facets["unit"][unit] = int(count)
        elif not g_typ:
            facets["dokumenttyp"][typ] = int(count)
        elif not g_year:
            facets["year"][year] = int(count)
    return total, facets
