"""Full-text search over the Dokumente the caller may see (the filter is inside the query)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import BaseModel, ConfigDict

from amtsfluss.api.auth import principal
from amtsfluss.api.schemas import AUTH_ERRORS, MAX_ID, ErrorOut, Line
from amtsfluss.suche.backends.base import Filters, Order
from amtsfluss.suche.query import MAX_QUERY_CHARS
from amtsfluss.suche.selectors import MAX_OFFSET, MAX_PER_PAGE, search

router = Router(tags=["suche"])


class SucheParams(Schema):
    q: Line = Field("", max_length=MAX_QUERY_CHARS, description='words, "phrase", prefix*')
    unit: list[int] = Field(default_factory=list, description="federführende OE ids")
    position: Line = Field("", max_length=40, description="Aktenplan Kennzeichen (subtree)")
    von: date | None = Field(None, description="Dokumentdatum from (inclusive)")
    bis: date | None = Field(None, description="Dokumentdatum until (inclusive)")
    dokumenttyp: list[Line] = Field(default_factory=list)
    status: Line = Field("", max_length=10, description="Akte status: offen or zda")
    order: Order = Order.RELEVANCE
    limit: int = Field(20, ge=1, le=MAX_PER_PAGE, description="Hits per page (at most 100).")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Hits to skip.")


class TrefferOut(BaseModel):
    """A hit. Plain pydantic models read the hits' attributes directly: ninja's ``Schema``
    wraps every object for Django lookups first, which cost more than the rest of the answer."""

    model_config = ConfigDict(from_attributes=True)

    dokument_id: int
    titel: str
    aktenzeichen: str
    akte_id: int
    dokumentdatum: date
    dokumenttyp: str
    score: float | None
    snippet: str = Field(description="escaped HTML; matches in <mark>")


class SucheOut(BaseModel):
    count: int
    limit: int
    offset: int
    facets: dict[str, dict[str, int]]
    items: list[TrefferOut]


@router.get(
    "/suche",
    response={200: SucheOut, 400: ErrorOut, **AUTH_ERRORS},
    operation_id="suche",
)
def suche(request: HttpRequest, params: Query[SucheParams]) -> dict[str, Any]:
    """Dokumente matching ``q`` and the filters, best (or newest) first, with facet counts."""
    filters = Filters(
        unit_ids=tuple(pk for pk in params.unit if 0 < pk <= MAX_ID),
        position=params.position,
        date_from=params.von,
        date_to=params.bis,
        dokumenttypen=tuple(params.dokumenttyp),
        akte_status=params.status,
    )
    result = search(
        principal=principal(request),
        query=params.q,
        filters=filters,
        order=params.order,
        per_page=params.limit,
        offset=params.offset,
    )
    return {
        "count": result.total,
        "limit": params.limit,
        "offset": params.offset,
        "facets": result.facets,
        "items": result.hits,
    }
