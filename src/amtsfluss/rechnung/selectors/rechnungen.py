"""Reads of the Rechnungseingangsbuch for pages and the API — always through the engine."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from amtsfluss.core.permissions import Action, Principal, access, permitted
from amtsfluss.rechnung.models import Pruefschritt, Rechnung, RechnungStatus, Zahlungslauf
from amtsfluss.rechnung.services.schritte import (
    OPEN_STEP,
    confirmed_before,
    may_clear,
    may_decide,
)


def access_rechnung(principal: Principal, pk: Any, action: str = Action.VIEW) -> Rechnung:
    """One Rechnung the principal may see (404 and an audit event otherwise)."""
    return access(
        Rechnung,
        principal=principal,
        action=action,
        pk=pk,
        queryset=Rechnung.objects.select_related(
            "unit", "vorgang__akte", "dublette_von", "zahlungslauf", "original"
        ),
    )


def rechnungen_list(
    *,
    principal: Principal,
    status: Sequence[str] | None = None,
    unit_id: int | None = None,
    query: str = "",
    faellig_bis: date | None = None,
    nur_dubletten: bool = False,
) -> QuerySet[Rechnung]:
    """The register as the principal may see it, newest first, filtered; one query per page.

    ``query`` searches Eingangsnummer, invoice number, seller name and VAT id, Leitweg-ID.
    """
    rows = permitted(Rechnung, principal=principal, action=Action.VIEW).select_related("unit")
    if status:
        rows = rows.filter(status__in=list(status))
    if unit_id is not None:
        rows = rows.filter(unit_id=unit_id)
    if faellig_bis is not None:
        rows = rows.filter(faellig_am__lte=faellig_bis)
    if nur_dubletten:
        rows = rows.filter(ist_dublette=True)
    text = query.strip()
    if text:
        rows = rows.filter(
            Q(eingangsnummer__icontains=text)
            | Q(rechnungsnummer__icontains=text)
            | Q(verkaeufer_name__icontains=text)
            | Q(verkaeufer_ust_id__icontains=text)
            | Q(leitweg_id__icontains=text)
        )
    return rows.order_by("-eingegangen_am", "-pk")


@dataclass(frozen=True)
class RechnungDetail:
    """A Rechnung with its approval steps and what the principal may do with it now."""

    rechnung: Rechnung
    schritte: list[Pruefschritt]
    offener_schritt: str | None
    darf_bestaetigen: bool
    vier_augen_gesperrt: bool
    darf_zurueckweisen: bool
    darf_zuordnen: bool
    dubletten: list[Rechnung]


def rechnung_detail(*, principal: Principal, pk: Any) -> RechnungDetail:
    rechnung = access_rechnung(principal, pk)
    schritte = list(
        Pruefschritt.objects.filter(rechnung=rechnung)
        .select_related("user", "befugnis__user")
        .order_by("at", "pk")
    )
    step = OPEN_STEP.get(rechnung.status)
    allowed = step is not None and may_decide(principal, rechnung, step)
    locked_out = allowed and confirmed_before(principal, rechnung)
    clearing = rechnung.status in (RechnungStatus.KLAERUNG, RechnungStatus.DUBLETTE)
    return RechnungDetail(
        rechnung=rechnung,
        schritte=schritte,
        offener_schritt=step,
        darf_bestaetigen=allowed and not locked_out,
        vier_augen_gesperrt=locked_out,
        darf_zurueckweisen=allowed or (clearing and may_clear(principal, rechnung)),
        darf_zuordnen=(
            rechnung.status == RechnungStatus.KLAERUNG
            and rechnung.zahlbetrag is not None
            and may_clear(principal, rechnung)
        ),
        dubletten=list(
            permitted(Rechnung, principal=principal, action=Action.VIEW)
            .filter(dublette_von=rechnung)
            .order_by("pk")
        ),
    )


def zahlbare_rechnungen(*, principal: Principal) -> QuerySet[Rechnung]:
    """Angeordnete invoices not yet in a Zahlungslauf (the Kasse's worklist), oldest due first."""
    return (
        permitted(Rechnung, principal=principal, action=Action.CHANGE)
        .filter(status=RechnungStatus.ANGEORDNET, zahlungslauf__isnull=True)
        .select_related("unit")
        .order_by("faellig_am", "pk")
    )


def zahlungslaeufe_list(*, principal: Principal) -> QuerySet[Zahlungslauf]:
    return permitted(Zahlungslauf, principal=principal, action=Action.VIEW).order_by(
        "-created_at", "-pk"
    )
