"""Wiedervorlagen: dated reminders on an Akte or a Vorgang, for a person or a unit."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import P, PathEx, Query, Router, Status

from amtsfluss.akte.access import access_akte, access_vorgang, access_wiedervorlage
from amtsfluss.akte.models import Wiedervorlage
from amtsfluss.akte.services.wiedervorlage import wiedervorlage_create, wiedervorlage_erledigen
from amtsfluss.api.auth import principal
from amtsfluss.api.endpoints.akte_common import clean_unit, clean_user, require_write_key
from amtsfluss.api.schemas import (
    AUTH_ERRORS,
    MAX_ID,
    WRITE_ERRORS,
    PageParams,
    paginate,
)
from amtsfluss.api.schemas_akte import (
    WiedervorlageFilter,
    WiedervorlageIn,
    WiedervorlageOut,
    WiedervorlagePage,
)
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.permissions import Action, permitted

router = Router(tags=["wiedervorlagen"])


@router.get(
    "/wiedervorlagen",
    response={200: WiedervorlagePage, **AUTH_ERRORS},
    operation_id="wiedervorlagen_list",
)
def wiedervorlagen_list(
    request: HttpRequest, page: Query[PageParams], filters: Query[WiedervorlageFilter]
) -> dict[str, Any]:
    """Wiedervorlagen on Akten the caller may see, by due date.

    ``due=today`` gives what ``selectors.inbox.due_wiedervorlagen`` gives (open, due today or
    earlier, for the caller, whom they deputise for, or their units), with a count.
    """
    caller = principal(request)
    rows = permitted(
        Wiedervorlage,
        principal=caller,
        action=Action.VIEW,
        queryset=Wiedervorlage.objects.select_related("fuer_user", "fuer_oe"),
    )
    if filters.due == "today":
        rows = rows.filter(
            Q(fuer_user_id__in=caller.acting_user_ids()) | Q(fuer_oe_id__in=caller.unit_ids()),
            erledigt_am__isnull=True,
            faellig_am__lte=timezone.localdate(),
        )
    if filters.erledigt is not None:
        rows = rows.filter(erledigt_am__isnull=not filters.erledigt)
    return paginate(rows.order_by("faellig_am", "pk"), page)


@router.post(
    "/wiedervorlagen",
    response={201: WiedervorlageOut, **WRITE_ERRORS},
    operation_id="wiedervorlagen_create",
)
def wiedervorlagen_create(request: HttpRequest, data: WiedervorlageIn) -> Status[Wiedervorlage]:
    """Set a reminder on an Akte or a Vorgang one may see (for oneself unless named otherwise)."""
    caller = principal(request)
    require_write_key(caller)
    if (data.akte_id is None) == (data.vorgang_id is None):
        raise ServiceError(_("A Wiedervorlage belongs to either a Vorgang or an Akte."))
    row = wiedervorlage_create(
        principal=caller,
        faellig_am=data.faellig_am,
        akte=access_akte(caller, data.akte_id) if data.akte_id is not None else None,
        vorgang=access_vorgang(caller, data.vorgang_id) if data.vorgang_id is not None else None,
        fuer_user=clean_user(caller, data.fuer_user_id),
        fuer_oe=clean_unit(caller, data.fuer_oe_id),
        notiz=data.notiz,
    )
    return Status(201, row)


@router.post(
    "/wiedervorlagen/{id}/erledigt",
    response={200: WiedervorlageOut, **WRITE_ERRORS},
    operation_id="wiedervorlagen_erledigt",
)
def wiedervorlagen_erledigt(
    request: HttpRequest, id: PathEx[int, P(ge=1, le=MAX_ID)]
) -> Wiedervorlage:
    """Mark done (idempotent); for those who may work on its Akte."""
    caller = principal(request)
    row = access_wiedervorlage(caller, id, Action.CHANGE)
    wiedervorlage_erledigen(principal=caller, wiedervorlage=row)
    row.refresh_from_db(fields=["erledigt_am"])
    return row
