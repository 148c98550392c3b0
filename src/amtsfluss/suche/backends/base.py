"""What a backend receives and answers; both backends implement :class:`Backend`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Protocol

from django.utils.translation import gettext as _

from amtsfluss.core.errors import Unavailable
from amtsfluss.core.models import Mandant
from amtsfluss.suche.entries import IndexEntry
from amtsfluss.suche.query import ParsedQuery

FACETS = ("unit", "dokumenttyp", "year")


def search_unavailable() -> Unavailable:
    """The error a search gets when the engine does not answer (the searcher sees this text)."""
    return Unavailable(_("The search is not available at the moment. Please try again later."))


class Order(StrEnum):
    RELEVANCE = "relevance"
    DATE = "date"


@dataclass(frozen=True)
class Filters:
    unit_ids: tuple[int, ...] = ()  #: federführende OE of the Akte, any of these
    position: str = ""  #: Aktenplan Kennzeichen; the position and everything below it
    date_from: date | None = None  #: Dokumentdatum, inclusive
    date_to: date | None = None  #: Dokumentdatum, inclusive
    dokumenttypen: tuple[str, ...] = ()
    akte_status: str = ""


@dataclass(frozen=True)
class EngineQuery:
    parsed: ParsedQuery
    filters: Filters
    keys: frozenset[str]  #: the principal's reader keys
    hidden_akten: tuple[int, ...]  #: Akten whose entries are being rebuilt (fail closed)
    order: Order = Order.RELEVANCE
    offset: int = 0
    limit: int = 20


@dataclass
class EngineResult:
    hits: list[tuple[int, float | None]]  #: (Dokument id, score; None when ordered by date)
    total: int
    #: facet → value → count, over all matches (not only the page)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


class Backend(Protocol):
    name: str

    def replace(
        self,
        mandant: Mandant,
        entries: Sequence[IndexEntry],
        *,
        akten: Sequence[int] = (),
        dokumente: Sequence[int] = (),
        wait: bool = False,
    ) -> bool:
        """Drop the entries of ``akten``, of ``dokumente`` and of the entries' Dokumente, then
        add ``entries`` (a Dokument of ``dokumente`` without an entry is gone for good).

        Returns False (and changes nothing) when another process holds the index and ``wait``
        is false; the caller tries again later.
        """
        ...

    def clear(self, mandant: Mandant) -> None: ...

    def search(self, mandant: Mandant, query: EngineQuery) -> EngineResult: ...

    def check(self) -> None:
        """Raise if the engine cannot answer or keep its index (readiness, ``/readyz``)."""
        ...
