"""Akten: list, form, file cover, zdA/reopen/refile, history, grants and involved persons."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import P, PathEx, Query, Router, Status

from amtsfluss.akte.access import access_akte
from amtsfluss.akte.models import (
    Akte,
    Beteiligter,
    Beteiligung,
    Dokument,
    FruehereAktenzeichen,
    Person,
    Vorgang,
    VorgangStatus,
    Wiedervorlage,
)
from amtsfluss.akte.services.akte import (
    akte_close,
    akte_refile,
    akte_reopen,
    beteiligter_add,
    beteiligung_grant,
    beteiligung_revoke,
    check_akte_create,
    person_create,
)
from amtsfluss.api.auth import principal
from amtsfluss.api.endpoints.akte_common import clean_position, clean_unit, clean_user
from amtsfluss.api.schemas import (
    AUTH_ERRORS,
    MAX_ID,
    OBJECT_ERRORS,
    WRITE_ERRORS,
    PageParams,
    paginate,
)
from amtsfluss.api.schemas_akte import (
    AkteCoverOut,
    AkteEventPage,
    AkteFilter,
    AkteIn,
    AkteOut,
    AktePage,
    BeteiligterIn,
    BeteiligterOut,
    BeteiligungIn,
    BeteiligungOut,
    RefileIn,
)
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import AuditEvent
from amtsfluss.core.models.audit import Outcome
from amtsfluss.core.permissions import Action, Principal, access, permitted

router = Router(tags=["akten"])

AkteId = PathEx[int, P(ge=1, le=MAX_ID)]


def _akten(caller: Principal) -> QuerySet[Akte]:
    return permitted(
        Akte,
        principal=caller,
        action=Action.VIEW,
        queryset=Akte.objects.select_related("position", "federfuehrende_oe", "created_by"),
    )


@router.get("/akten", response={200: AktePage, **AUTH_ERRORS}, operation_id="akten_list")
def akten_list(
    request: HttpRequest, page: Query[PageParams], filters: Query[AkteFilter]
) -> dict[str, Any]:
    """The Akten the caller may see, by Aktenzeichen."""
    rows = _akten(principal(request))
    if filters.position is not None:
        rows = rows.filter(position_id=filters.position)
    if filters.status is not None:
        rows = rows.filter(status=filters.status)
    if filters.federfuehrende_oe is not None:
        rows = rows.filter(federfuehrende_oe_id=filters.federfuehrende_oe)
    if filters.q:
        rows = rows.filter(Q(aktenzeichen__icontains=filters.q) | Q(titel__icontains=filters.q))
    return paginate(rows.order_by("aktenzeichen", "pk"), page)


@router.post("/akten", response={201: AkteOut, **WRITE_ERRORS}, operation_id="akten_create")
def akten_create(request: HttpRequest, data: AkteIn) -> Status[Akte]:
    """Form an Akte at a leaf of the Aktenplan; its Aktenzeichen is issued now.

    Allowed to staff of the federführende OE (the creator of a confidential Akte is named on it).
    """
    caller = principal(request)
    akte = check_akte_create(
        principal=caller,
        position=clean_position(caller, data.position_id),
        titel=data.titel,
        federfuehrende_oe=clean_unit(caller, data.federfuehrende_oe_id),
        vertraulichkeit=data.vertraulichkeit,
    )
    return Status(201, akte)


def _cover(akte: Akte) -> dict[str, Any]:
    vorgaenge = Vorgang.objects.filter(akte=akte).aggregate(
        total=Count("pk"), open=Count("pk", filter=~Q(status=VorgangStatus.ERLEDIGT))
    )
    open_reminders = Wiedervorlage.objects.filter(
        Q(akte=akte) | Q(vorgang__akte=akte), erledigt_am__isnull=True
    )
    return {
        **{name: getattr(akte, name) for name in AkteOut.model_fields},
        "beteiligte": Beteiligter.objects.filter(akte=akte)
        .select_related("person")
        .order_by("rolle", "person__name", "pk"),
        "beteiligungen": Beteiligung.objects.filter(akte=akte)
        .select_related("unit", "user")
        .order_by("pk"),
        "fruehere_aktenzeichen": FruehereAktenzeichen.objects.filter(akte=akte).order_by("bis"),
        "counts": {
            "vorgaenge": vorgaenge["total"],
            "offene_vorgaenge": vorgaenge["open"],
            "dokumente": Dokument.objects.filter(vorgang__akte=akte).count(),
            "offene_wiedervorlagen": open_reminders.count(),
        },
    }


@router.get("/akten/{id}", response={200: AkteCoverOut, **OBJECT_ERRORS}, operation_id="akten_get")
def akten_get(request: HttpRequest, id: AkteId) -> dict[str, Any]:
    """The file cover. Reading a confidential Akte is an audit event."""
    return _cover(access_akte(principal(request), id))


@router.post("/akten/{id}/zda", response={200: AkteOut, **WRITE_ERRORS}, operation_id="akten_zda")
def akten_zda(request: HttpRequest, id: AkteId) -> Akte:
    """Close the Akte (zdA) once all its Vorgänge are done; the retention period starts."""
    caller = principal(request)
    return akte_close(principal=caller, akte=access_akte(caller, id, Action.CHANGE))


@router.post(
    "/akten/{id}/reopen", response={200: AkteOut, **WRITE_ERRORS}, operation_id="akten_reopen"
)
def akten_reopen(request: HttpRequest, id: AkteId) -> Akte:
    caller = principal(request)
    return akte_reopen(principal=caller, akte=access_akte(caller, id, Action.CHANGE))


@router.post(
    "/akten/{id}/refile", response={200: AkteOut, **WRITE_ERRORS}, operation_id="akten_refile"
)
def akten_refile(request: HttpRequest, id: AkteId, data: RefileIn) -> Akte:
    """File the Akte at another leaf; it gets a new Aktenzeichen, the old one is kept."""
    caller = principal(request)
    akte = access_akte(caller, id, Action.CHANGE)
    position = clean_position(caller, data.position_id)
    return akte_refile(principal=caller, akte=akte, position=position)


@router.get(
    "/akten/{id}/history",
    response={200: AkteEventPage, **OBJECT_ERRORS},
    operation_id="akten_history",
)
def akten_history(request: HttpRequest, id: AkteId, page: Query[PageParams]) -> dict[str, Any]:
    """What happened to the Akte (formed, closed, grants, confidential reads …), newest first.

    For whoever may view the Akte. Refused attempts of others are left out: they are about
    those persons, not about the Akte, and stay for Datenschutz in the audit log.
    """
    caller = principal(request)
    akte = access_akte(caller, id)
    events = AuditEvent.objects.filter(
        mandant=caller.mandant, object_type="akte.akte", object_id=str(akte.pk)
    ).exclude(outcome=Outcome.DENIED)
    return paginate(events.order_by("-seq"), page)


@router.post(
    "/akten/{id}/beteiligungen",
    response={201: BeteiligungOut, **WRITE_ERRORS},
    operation_id="akten_beteiligung_grant",
)
def akten_beteiligung_grant(
    request: HttpRequest, id: AkteId, data: BeteiligungIn
) -> Status[Beteiligung]:
    """Grant a unit or a person access, optionally until a moment; confidential: persons only."""
    caller = principal(request)
    akte = access_akte(caller, id, Action.CHANGE)
    grant = beteiligung_grant(
        principal=caller,
        akte=akte,
        unit=clean_unit(caller, data.unit_id),
        user=clean_user(caller, data.user_id),
        darf_bearbeiten=data.darf_bearbeiten,
        gueltig_bis=data.gueltig_bis,
    )
    return Status(201, grant)


@router.delete(
    "/akten/{id}/beteiligungen/{bid}",
    response={204: None, **WRITE_ERRORS},
    operation_id="akten_beteiligung_revoke",
)
def akten_beteiligung_revoke(
    request: HttpRequest, id: AkteId, bid: PathEx[int, P(ge=1, le=MAX_ID)]
) -> Status[None]:
    caller = principal(request)
    akte = access_akte(caller, id, Action.CHANGE)
    grant = access(
        Beteiligung,
        principal=caller,
        action=Action.CHANGE,
        pk=bid,
        queryset=Beteiligung.objects.filter(akte=akte).select_related("akte"),
    )
    beteiligung_revoke(principal=caller, beteiligung=grant)
    return Status(204, None)


@router.post(
    "/akten/{id}/beteiligte",
    response={201: BeteiligterOut, **WRITE_ERRORS},
    operation_id="akten_beteiligter_add",
)
def akten_beteiligter_add(
    request: HttpRequest, id: AkteId, data: BeteiligterIn
) -> Status[Beteiligter]:
    """Record a person's part in the Akte: an existing person (``person_id``, one the caller
    sees in another Akte) or a new one (``person``)."""
    caller = principal(request)
    akte = access_akte(caller, id, Action.CHANGE)
    if data.person_id is not None:
        person = (
            permitted(Person, principal=caller, action=Action.VIEW)
            .filter(pk=data.person_id)
            .first()
        )
        if person is None:
            raise ServiceError(_("This person does not exist."))
        row = beteiligter_add(principal=caller, akte=akte, person=person, rolle=data.rolle)
    else:
        if data.person is None:  # excluded by BeteiligterIn
            raise TypeError("person or person_id")
        with transaction.atomic():
            person = person_create(principal=caller, **data.person.model_dump())
            row = beteiligter_add(principal=caller, akte=akte, person=person, rolle=data.rolle)
    return Status(201, Beteiligter.objects.select_related("person").get(pk=row.pk))
