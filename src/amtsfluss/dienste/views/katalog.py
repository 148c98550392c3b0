"""The public catalogue: by Lebenslage, search, and one page per Leistung."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from amtsfluss.dienste import gebuehren
from amtsfluss.dienste.models import Lebenslage, Leistung
from amtsfluss.dienste.selectors.katalog import (
    MAX_QUERY,
    access_published_leistung,
    current_version,
    published_leistungen,
)
from amtsfluss.dienste.views.common import public_mandant


@dataclass(frozen=True)
class Gruppe:
    code: str
    label: str
    leistungen: list[Leistung]


def clean_query(value: str) -> str:
    """The search words as typed, without control characters, cut to the length searched."""
    kept = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in value)
    return " ".join(kept.split())[:MAX_QUERY]


@require_GET
def katalog(request: HttpRequest) -> HttpResponse:
    mandant = public_mandant(request)
    query = clean_query(request.GET.get("q", ""))
    lebenslage = request.GET.get("lebenslage", "")
    if lebenslage not in Lebenslage.values:
        lebenslage = ""
    leistungen = list(published_leistungen(mandant=mandant, lebenslage=lebenslage, query=query))
    gruppen: list[Gruppe] = []
    if not query and not lebenslage:
        for code, label in Lebenslage.choices:
            members = [
                leistung
                for leistung in leistungen
                if any(item.lebenslage == code for item in leistung.lebenslagen.all())
            ]
            if members:
                gruppen.append(Gruppe(code, str(label), members))
    return render(
        request,
        "dienste/katalog.html",
        {
            "query": query,
            "lebenslage": lebenslage,
            "lebenslage_label": Lebenslage(lebenslage).label if lebenslage else "",
            "lebenslagen": Lebenslage.choices,
            "leistungen": leistungen,
            "gruppen": gruppen,
            "searched": bool(query or lebenslage),
        },
    )


@require_GET
def leistung_detail(request: HttpRequest, leika: str) -> HttpResponse:
    leistung = access_published_leistung(mandant=public_mandant(request), leika=leika)
    rule = gebuehren.check_rule(leistung.gebuehr, definition=None)
    return render(
        request,
        "dienste/leistung.html",
        {
            "leistung": leistung,
            "lebenslagen": [Lebenslage(i.lebenslage).label for i in leistung.lebenslagen.all()],
            "gebuehr": gebuehren.describe(rule),
            "online": current_version(leistung=leistung) is not None,
        },
    )
