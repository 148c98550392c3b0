"""Anträge: by their status link (the applicant), by their Vorgang, and for the staff through
the permission engine (``dienste.permissions``: an Antrag is seen with its Vorgang)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from amtsfluss.akte.models import Vorgang
from amtsfluss.core.models import Mandant
from amtsfluss.core.permissions import Action, Principal, access, permitted
from amtsfluss.dienste.models import Antrag, AntragEreignis, AntragStatus
from amtsfluss.dienste.services.entwurf import token_hash

_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")
_RELATED = ("vorgang__akte", "vorgang__bearbeitende_oe", "leistung", "formularversion")


def antrag_for_vorgang(vorgang: Vorgang) -> Antrag | None:
    """The Antrag a Vorgang was formed from, if any (the caller has authorised the Vorgang)."""
    return Antrag.objects.filter(vorgang_id=vorgang.pk).select_related(*_RELATED).first()


def antrag_by_token(*, mandant: Mandant, token: str) -> Antrag:
    """The Mandant's Antrag with this status link; anything else (unknown, guessed, malformed,
    another Mandant's) is 404 — the same answer, so a guess learns nothing."""
    if not _TOKEN.fullmatch(token):
        raise Http404
    found = (
        Antrag.objects.filter(mandant=mandant, token_hash=token_hash(token))
        .select_related(*_RELATED)
        .first()
    )
    if found is None:
        raise Http404
    return found


def antraege_visible(*, principal: Principal) -> QuerySet[Antrag]:
    """The Anträge the principal may see, newest first (one filtering query)."""
    return (
        permitted(Antrag, principal=principal, action=Action.VIEW)
        .select_related("vorgang__akte", "vorgang__bearbeitende_oe", "leistung")
        .order_by("-eingereicht_am", "-pk")
    )


def access_antrag(principal: Principal, pk: Any, action: str = Action.VIEW) -> Antrag:
    return access(
        Antrag,
        principal=principal,
        action=action,
        pk=pk,
        queryset=Antrag.objects.select_related(*_RELATED),
    )


@dataclass(frozen=True)
class Stufe:
    """One step of the timeline: reached when (None: not yet), and whether it is the current."""

    status: str
    label: str
    reached_at: datetime | None
    current: bool


def timeline(antrag: Antrag) -> list[Stufe]:
    """The five steps in order, each with the last time it was reached."""
    reached: dict[str, datetime] = {}
    for status, am in AntragEreignis.objects.filter(antrag=antrag).values_list("status", "am"):
        reached[status] = am
    return [
        Stufe(value, str(label), reached.get(value), value == antrag.status)
        for value, label in AntragStatus.choices
    ]


def ereignisse(antrag: Antrag) -> QuerySet[AntragEreignis]:
    return AntragEreignis.objects.filter(antrag=antrag).order_by("am", "pk")


def erwartet_bis(antrag: Antrag) -> date | None:
    """The day a decision is expected: the Leistung's processing time from the submission."""
    tage = antrag.leistung.bearbeitungsdauer_tage
    if tage is None:
        return None
    return timezone.localdate(antrag.eingereicht_am) + timedelta(days=tage)
