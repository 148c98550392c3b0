"""Reads of the Kasse: Forderungen for staff (through the permission engine), for the public
payment page (by token) and for the Vorgang they belong to."""

from __future__ import annotations

import re

from django.db.models import QuerySet
from django.http import Http404
from django.utils.safestring import mark_safe

from amtsfluss.akte.models import Vorgang
from amtsfluss.core.models import Mandant
from amtsfluss.core.permissions import Action, Principal, access, permitted
from amtsfluss.kasse.girocode import girocode_svg
from amtsfluss.kasse.models import Forderung, Zustand, Zustandswechsel
from amtsfluss.kasse.services.forderung import empfaenger_of, token_hash

_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")


def forderung_for_vorgang(vorgang: Vorgang) -> Forderung | None:
    """The newest Forderung of ``vorgang`` (None when it has none). The caller has authorised
    the Vorgang (staff: access(); applicant: the Antrag's status token)."""
    return (
        Forderung.objects.filter(mandant_id=vorgang.mandant_id, vorgang=vorgang)
        .order_by("-created_at", "-pk")
        .first()
    )


def access_forderung_by_token(*, mandant: Mandant, token: str) -> Forderung:
    """The Mandant's Forderung of this payment-page token; anything else is 404."""
    if not _TOKEN.fullmatch(token):
        raise Http404
    found = Forderung.objects.filter(mandant=mandant, token_hash=token_hash(token)).first()
    if found is None:
        raise Http404
    return found


def forderungen_list(*, principal: Principal, zustand: str = "") -> QuerySet[Forderung]:
    """The Forderungen the principal may see, newest first, optionally of one state."""
    qs = permitted(Forderung, principal=principal, action=Action.VIEW)
    if zustand in Zustand.values:
        qs = qs.filter(zustand=zustand)
    return qs.select_related("unit").order_by("-created_at", "-pk")


def access_forderung(*, principal: Principal, pk: int) -> Forderung:
    """One Forderung the principal may see; 404 (audited) otherwise."""
    return access(Forderung, principal=principal, action=Action.VIEW, pk=pk)


def zahlung_context(forderung: Forderung) -> dict[str, object]:
    """What the template ``kasse/_zahlung.html`` needs to show ``forderung`` (the caller has
    authorised it): the receiving account and, while open, the GiroCode as safe inline SVG."""
    offen = forderung.zustand == Zustand.OFFEN
    return {
        "forderung": forderung,
        "empfaenger": empfaenger_of(forderung.mandant),
        # segno's SVG with our escaped title
        "girocode": mark_safe(girocode_svg(forderung)) if offen else "",  # noqa: S308
    }


def historie(forderung: Forderung) -> QuerySet[Zustandswechsel]:
    return forderung.historie.select_related("by").order_by("at", "pk")
