"""Reads of the catalogue: the public one (published, of the host's Mandant) and the staff's."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from amtsfluss.core.models import Mandant
from amtsfluss.core.permissions import Action, Principal, permitted
from amtsfluss.dienste.models import Formularversion, Leistung
from amtsfluss.dienste.text import fold

MAX_QUERY = 100
MAX_TERMS = 8


def published_leistungen(
    *, mandant: Mandant, lebenslage: str = "", query: str = ""
) -> QuerySet[Leistung]:
    """The Mandant's published Leistungen, optionally of one Lebenslage and matching every word
    of ``query`` in name, description or keywords (German folding: ``Strasse`` finds
    ``Straße``, ``Mueller`` finds ``Müller``)."""
    leistungen = Leistung.objects.filter(mandant=mandant, veroeffentlicht=True)
    if lebenslage:
        leistungen = leistungen.filter(lebenslagen__lebenslage=lebenslage)
    for term in search_terms(query):
        leistungen = leistungen.filter(suchtext__contains=term)
    return leistungen.prefetch_related("lebenslagen").order_by("name", "pk")


def search_terms(query: str) -> list[str]:
    return fold(query[:MAX_QUERY]).split()[:MAX_TERMS]


def access_published_leistung(*, mandant: Mandant, leika: str) -> Leistung:
    """One published Leistung of the Mandant by its LeiKa key; anything else is 404."""
    found = (
        Leistung.objects.filter(mandant=mandant, veroeffentlicht=True, leika_schluessel=leika)
        .select_related("zustaendige_oe")
        .prefetch_related("lebenslagen")
        .first()
    )
    if found is None:
        raise Http404
    return found


def current_version(*, leistung: Leistung) -> Formularversion | None:
    """The newest published version of the Leistung's form: new drafts start on it."""
    return (
        Formularversion.objects.filter(
            formular__leistung=leistung, veroeffentlicht_am__isnull=False
        )
        .order_by("-nummer")
        .first()
    )


def staff_leistungen(*, principal: Principal) -> QuerySet[Leistung]:
    """The catalogue as staff see it (published or not), through the permission engine."""
    return permitted(Leistung, principal=principal, action=Action.VIEW).order_by("name", "pk")
