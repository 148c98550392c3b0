"""The approval of an invoice: sachlich richtig → rechnerisch richtig → Anordnung; rejection;
routing an invoice in Klärung to its unit.

Each operation answers the entry as ``GET /rechnungen/{id}`` does, after the decision. Of two
callers deciding at once exactly one succeeds; the other gets 400 with ``code: conflict`` and
the status the invoice has now. Four-eyes and Anordnungsbefugnis refusals are 403.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import P, PathEx, Router

from amtsfluss.api.auth import principal
from amtsfluss.api.endpoints.rechnung_eingangsbuch import detail_of
from amtsfluss.api.schemas import MAX_ID, WRITE_ERRORS
from amtsfluss.api.schemas_rechnung import (
    BestaetigenIn,
    RechnungDetailOut,
    ZuordnenIn,
    ZurueckweisenIn,
)
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.permissions import Action, Principal
from amtsfluss.rechnung.models import Rechnung
from amtsfluss.rechnung.selectors.pages import units_for_invoices
from amtsfluss.rechnung.selectors.rechnungen import access_rechnung
from amtsfluss.rechnung.services.freigabe import (
    rechnung_anordnen,
    rechnung_rechnerisch_richtig,
    rechnung_sachlich_richtig,
    rechnung_zurueckweisen,
)
from amtsfluss.rechnung.services.zuordnung import rechnung_route

router = Router(tags=["rechnungen"])

ObjectId = PathEx[int, P(ge=1, le=MAX_ID)]
DECISION = {200: RechnungDetailOut, **WRITE_ERRORS}


def _for_decision(caller: Principal, pk: int) -> Rechnung:
    """The invoice to decide on: 404 (audited) unless the caller may change it — also for a
    read-scope key, as for every existing object (``docs/permissions.md``)."""
    return access_rechnung(caller, pk, Action.CHANGE)


@router.post(
    "/rechnungen/{id}/sachlich-richtig",
    response=DECISION,
    operation_id="rechnungen_sachlich_richtig",
)
def rechnungen_sachlich_richtig(
    request: HttpRequest, id: ObjectId, data: BestaetigenIn
) -> dict[str, Any]:
    """Confirm that goods or services were received as ordered (staff of the unit)."""
    caller = principal(request)
    rechnung = _for_decision(caller, id)
    rechnung_sachlich_richtig(principal=caller, rechnung=rechnung, bemerkung=data.bemerkung)
    return detail_of(caller, id)


@router.post(
    "/rechnungen/{id}/rechnerisch-richtig",
    response=DECISION,
    operation_id="rechnungen_rechnerisch_richtig",
)
def rechnungen_rechnerisch_richtig(
    request: HttpRequest, id: ObjectId, data: BestaetigenIn
) -> dict[str, Any]:
    """Confirm the amounts (Rechnungsprüfung or the unit; not who confirmed the first step)."""
    caller = principal(request)
    rechnung = _for_decision(caller, id)
    rechnung_rechnerisch_richtig(principal=caller, rechnung=rechnung, bemerkung=data.bemerkung)
    return detail_of(caller, id)


@router.post("/rechnungen/{id}/anordnung", response=DECISION, operation_id="rechnungen_anordnung")
def rechnungen_anordnung(request: HttpRequest, id: ObjectId, data: BestaetigenIn) -> dict[str, Any]:
    """Order the payment (Anordnungsbefugnis over unit and amount; a third person)."""
    caller = principal(request)
    rechnung = _for_decision(caller, id)
    rechnung_anordnen(principal=caller, rechnung=rechnung, bemerkung=data.bemerkung)
    return detail_of(caller, id)


@router.post(
    "/rechnungen/{id}/zurueckweisung",
    response=DECISION,
    operation_id="rechnungen_zurueckweisung",
)
def rechnungen_zurueckweisung(
    request: HttpRequest, id: ObjectId, data: ZurueckweisenIn
) -> dict[str, Any]:
    """Reject the invoice at its open step with a reason; the seller is told by e-mail."""
    caller = principal(request)
    rechnung = _for_decision(caller, id)
    rechnung_zurueckweisen(
        principal=caller,
        rechnung=rechnung,
        begruendung=data.begruendung,
        erwarteter_status=data.erwarteter_status,
    )
    return detail_of(caller, id)


@router.post("/rechnungen/{id}/route", response=DECISION, operation_id="rechnungen_route")
def rechnungen_route(request: HttpRequest, id: ObjectId, data: ZuordnenIn) -> dict[str, Any]:
    """Assign an invoice in Klärung to its unit; it is filed and enters the approval."""
    caller = principal(request)
    rechnung = _for_decision(caller, id)
    unit = units_for_invoices(caller).filter(pk=data.unit_id).first()
    if unit is None:
        raise ServiceError(_("This unit does not exist."))
    rechnung_route(principal=caller, rechnung=rechnung, unit=unit)
    return detail_of(caller, id)
