"""Reads of the citizen account that other apps use: who is signed in, and prefill values."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from amtsfluss.dienste.models import Antrag
from amtsfluss.konto import session
from amtsfluss.konto.models import Buerger

#: the keys of :func:`prefill_for` (docs/design/konto.md)
PREFILL_KEYS = (
    "vorname",
    "nachname",
    "name",
    "email",
    "telefon",
    "strasse",
    "hausnummer",
    "strasse_hausnummer",
    "zusatz",
    "plz",
    "ort",
)
_CACHE_ATTR = "_amtsfluss_buerger"


def buerger_from_request(request: HttpRequest) -> Buerger | None:
    """The signed-in citizen of this request's Mandant, or None.

    None as well for a staff session (``request.user`` signed in): staff and citizen sessions
    never mix. A session of another Mandant, a timed-out one, one of a deactivated account and
    one opened before the password changed count as none (and lose their citizen keys).
    """
    if hasattr(request, _CACHE_ATTR):
        cached: Buerger | None = getattr(request, _CACHE_ATTR)
        return cached
    buerger: Buerger | None = None
    user = getattr(request, "user", None)
    if not (user is not None and user.is_authenticated):
        buerger_id = session.session_buerger_id(request)
        if buerger_id is not None:
            mandant = getattr(request, "mandant", None)
            buerger = (
                Buerger.objects.filter(pk=buerger_id, mandant=mandant, is_active=True)
                .select_related("mandant")
                .first()
            )
            if buerger is None or not session.session_matches(request, buerger):
                session.forget(request)
                buerger = None
    setattr(request, _CACHE_ATTR, buerger)
    return buerger


def prefill_for(request: HttpRequest) -> dict[str, str]:
    """Form field name → value from the signed-in citizen's profile; empty without one.

    Only non-empty values are given. ``strasse_hausnummer`` is street and number in one, as
    the forms engine's address part ``<field>-strasse`` expects it.
    """
    buerger = buerger_from_request(request)
    if buerger is None:
        return {}
    street = " ".join(p for p in (buerger.strasse, buerger.hausnummer) if p)
    name = " ".join(p for p in (buerger.vorname, buerger.nachname) if p)
    values = {
        "vorname": buerger.vorname,
        "nachname": buerger.nachname,
        "name": name,
        "email": buerger.email,
        "telefon": buerger.telefon,
        "strasse": buerger.strasse,
        "hausnummer": buerger.hausnummer,
        "strasse_hausnummer": street,
        "zusatz": buerger.zusatz,
        "plz": buerger.plz,
        "ort": buerger.ort,
    }
    return {key: value for key, value in values.items() if value}


def antraege_of(buerger: Buerger) -> QuerySet[Antrag]:
    """The citizen's own applications in their Mandant, newest first, with what the list
    shows (Leistung, case number) in one query."""
    return (
        Antrag.objects.filter(buerger=buerger, mandant_id=buerger.mandant_id)
        .select_related("leistung", "vorgang__akte")
        .order_by("-eingereicht_am", "-pk")
    )
