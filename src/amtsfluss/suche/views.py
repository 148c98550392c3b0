"""The search page: full text over the Dokumente one may see, with filters and facet counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from amtsfluss.akte.views.common import all_units, page_number, pagination
from amtsfluss.core.errors import ServiceError
from amtsfluss.suche.forms import SucheForm, unit_label
from amtsfluss.suche.selectors import MAX_PAGE, SearchResult, dokumenttyp_label, search
from amtsfluss.web.access import staff_principal

PER_PAGE = 20


@never_cache
@login_required
@require_GET
def suche(request: HttpRequest) -> HttpResponse:
    principal = staff_principal(request)
    units = all_units(principal)
    form = SucheForm(request.GET or None, units=units)
    result: SearchResult | None = None
    problem = ""
    number = min(page_number(request), MAX_PAGE)
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        try:
            result = search(
                principal=principal,
                query=form.cleaned_data["q"],
                filters=form.filters(),
                order=form.order(),
                page=number,
                per_page=PER_PAGE,
            )
        except ServiceError as exc:  # text that cannot be searched: say why
            problem = exc.message
    context: dict[str, Any] = {"form": form, "result": result, "problem": problem}
    if result is not None:
        names = {str(unit.pk): unit_label(unit) for unit in units}
        context["facets"] = _facets(request.GET, result, names)
        context["pagination"] = pagination(
            request, number=number, total=result.total, shown=len(result.hits), size=PER_PAGE
        )
    return render(request, "suche/suche.html", context)


def _facets(
    query: QueryDict, result: SearchResult, unit_names: dict[str, str]
) -> list[dict[str, Any]]:
    """Each facet with its values: label, count, and the link that narrows the search to it."""
    groups: list[tuple[str, str, Callable[[str], str]]] = [
        ("oe", "unit", lambda value: unit_names.get(value, value)),
        ("typ", "dokumenttyp", dokumenttyp_label),
        ("jahr", "year", str),
    ]
    shown = []
    for parameter, facet, label in groups:
        counts = result.facets.get(facet) or {}
        values = []
        for value, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            values.append(
                {"label": label(value), "count": count, "url": _narrowed(query, parameter, value)}
            )
        shown.append({"name": parameter, "values": values})
    return shown


def _narrowed(query: QueryDict, parameter: str, value: str) -> str:
    """The query string with one more filter value (a year becomes a date range)."""
    narrowed = query.copy()
    narrowed.pop("seite", None)
    if parameter == "jahr":
        year = int(value)
        narrowed["von"] = date(year, 1, 1).isoformat()
        narrowed["bis"] = date(year, 12, 31).isoformat()
    elif value not in narrowed.getlist(parameter):
        narrowed.appendlist(parameter, value)
    return f"?{narrowed.urlencode()}"
