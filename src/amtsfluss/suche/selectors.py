"""``search()``: what pages, the API and ``amtsfluss search`` show — only what one may see.

The principal's reader keys go into the engine query itself (``keys.search_scope``: one
query, together with the Akten being rebuilt); the hits' rows and texts are then read by id,
in one query, for the one page shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import connection

from amtsfluss.akte.models import Dokumenttyp
from amtsfluss.core.permissions import Action, Principal
from amtsfluss.suche.backends import get_backend
from amtsfluss.suche.backends.base import EngineQuery, Filters, Order
from amtsfluss.suche.keys import search_scope
from amtsfluss.suche.query import ParsedQuery, parse
from amtsfluss.suche.snippets import SCAN_CHARS, Highlighter

MAX_PER_PAGE = 100
MAX_PAGE = 500
MAX_OFFSET = MAX_PAGE * MAX_PER_PAGE


@dataclass(frozen=True)
class Hit:
    dokument_id: int
    titel: str
    aktenzeichen: str
    akte_id: int
    vorgang_id: int
    dokumentdatum: date
    dokumenttyp: str
    score: float | None  #: BM25 / ts_rank_cd; None when ordered by date
    snippet: str  #: escaped HTML; matches in <mark>

    @property
    def dokumenttyp_label(self) -> str:
        return dokumenttyp_label(self.dokumenttyp)


def dokumenttyp_label(value: str) -> str:
    """The label of a Dokumenttyp code (the code itself for one no longer known)."""
    return str(Dokumenttyp(value).label) if value in Dokumenttyp.values else value


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def search(
    *,
    principal: Principal,
    query: str,
    filters: Filters | None = None,
    order: Order = Order.RELEVANCE,
    page: int = 1,
    per_page: int = 20,
    offset: int | None = None,
) -> SearchResult:
    """Search the principal's Mandant; raises ``QueryError`` for text that cannot be searched.

    ``offset`` (the API's paging) replaces ``page`` when given.
    """
    parsed = parse(query)
    if not principal.is_member_of_mandant or not principal.allows(Action.VIEW):
        return SearchResult(hits=[], total=0)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, min(page, MAX_PAGE))
    scope = search_scope(principal)
    engine_query = EngineQuery(
        parsed=parsed,
        filters=filters or Filters(),
        keys=scope.keys,
        hidden_akten=scope.hidden_akten,
        order=order,
        offset=(page - 1) * per_page if offset is None else min(max(0, offset), MAX_OFFSET),
        limit=per_page,
    )
    found = get_backend().search(principal.mandant, engine_query)
    return SearchResult(hits=_hits(found.hits, parsed), total=found.total, facets=found.facets)


#: The hits' rows with the beginning of the text of their newest current version that has one
#: (what ``entries.current_texts`` picks) — as much of it as a snippet scans.
_HIT_ROWS_SQL = """
SELECT d.id, d.titel, a.aktenzeichen, v.akte_id, d.vorgang_id, d.dokumentdatum, d.dokumenttyp,
    d.absender_empfaenger,
    (SELECT SUBSTR(t.text, 1, %s) FROM suche_dokumenttext t
        JOIN akte_dokumentversion dv ON dv.id = t.dokumentversion_id
        WHERE dv.dokument_id = d.id AND dv.ist_aktuell
        ORDER BY dv.nummer DESC, t.id DESC LIMIT 1)
FROM akte_dokument d
JOIN akte_vorgang v ON v.id = d.vorgang_id
JOIN akte_akte a ON a.id = v.akte_id
WHERE d.id IN ({ids})
"""


def _hits(ranked: list[tuple[int, float | None]], parsed: ParsedQuery) -> list[Hit]:
    if not ranked:
        return []
    ids = [pk for pk, _ in ranked]
    sql = _HIT_ROWS_SQL.format(ids=", ".join(["%s"] * len(ids)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [SCAN_CHARS, *ids])
        rows = {row[0]: row for row in cursor.fetchall()}
    highlighter = Highlighter(parsed)
    hits = []
    for pk, score in ranked:
        if pk not in rows:
            continue  # deleted since it was indexed
        _, titel, aktenzeichen, akte_id, vorgang_id, datum, typ, absender, text = rows[pk]
        hits.append(
            Hit(
                dokument_id=pk,
                titel=titel,
                aktenzeichen=aktenzeichen,
                akte_id=akte_id,
                vorgang_id=vorgang_id,
                dokumentdatum=datum,
                dokumenttyp=typ,
                score=score,
                snippet=highlighter.snippet(text or absender or titel),
            )
        )
    return hits
