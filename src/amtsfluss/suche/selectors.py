"""``search()``: what pages, the API and ``amtsfluss search`` show — only what one may see.

The principal's reader keys go into the engine query itself (``keys.principal_keys``); the
hits' titles and texts are then read by id for the one page shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from amtsfluss.akte.models import Dokument, Dokumenttyp
from amtsfluss.core.permissions import Action, Principal
from amtsfluss.suche.backends import get_backend
from amtsfluss.suche.backends.base import EngineQuery, Filters, Order
from amtsfluss.suche.entries import current_texts
from amtsfluss.suche.indexing import hidden_akten
from amtsfluss.suche.keys import principal_keys
from amtsfluss.suche.query import ParsedQuery, parse
from amtsfluss.suche.snippets import snippet

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
    engine_query = EngineQuery(
        parsed=parsed,
        filters=filters or Filters(),
        keys=principal_keys(principal),
        hidden_akten=hidden_akten(principal.mandant),
        order=order,
        offset=(page - 1) * per_page if offset is None else min(max(0, offset), MAX_OFFSET),
        limit=per_page,
    )
    found = get_backend().search(principal.mandant, engine_query)
    return SearchResult(hits=_hits(found.hits, parsed), total=found.total, facets=found.facets)


def _hits(ranked: list[tuple[int, float | None]], parsed: ParsedQuery) -> list[Hit]:
    ids = [pk for pk, _ in ranked]
    rows = {
        row[0]: row
        for row in Dokument.objects.filter(pk__in=ids).values_list(
            "pk",
            "titel",
            "vorgang__akte__aktenzeichen",
            "vorgang__akte_id",
            "vorgang_id",
            "dokumentdatum",
            "dokumenttyp",
            "absender_empfaenger",
        )
    }
    texts = current_texts(ids)
    hits = []
    for pk, score in ranked:
        if pk not in rows:
            continue  # deleted since it was indexed
        _, titel, aktenzeichen, akte_id, vorgang_id, datum, typ, absender = rows[pk]
        body = texts.get(pk) or absender or titel
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
                snippet=snippet(body, parsed),
            )
        )
    return hits
