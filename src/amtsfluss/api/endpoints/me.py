"""``GET /me``: who the caller is in this Mandant, and with which rights."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from amtsfluss.api.auth import principal
from amtsfluss.api.schemas import AUTH_ERRORS, UnitRef, UserRef
from amtsfluss.core.selectors.organisation import own_memberships
from amtsfluss.core.selectors.vertretung import acting_for

router = Router(tags=["me"])


class MandantRef(Schema):
    id: int
    slug: str
    name: str


class OwnMembershipOut(Schema):
    id: int
    unit: UnitRef
    role: str
    valid_until: datetime | None


class ActingForOut(Schema):
    """A Vertretung in force now: the caller acts with ``person``'s rights until ``valid_until``."""

    vertretung_id: int
    person: UserRef
    valid_from: datetime
    valid_until: datetime


class MeOut(Schema):
    user: UserRef
    mandant: MandantRef
    memberships: list[OwnMembershipOut]
    acting_for: list[ActingForOut]
    scopes: list[str] | None = Field(
        None, description="The API key's scopes; null for a session (all the person may do)."
    )


@router.get("/me", response={200: MeOut, **AUTH_ERRORS}, operation_id="me")
def me(request: HttpRequest) -> dict[str, object]:
    """The authenticated person, their Mandant, memberships valid now and Vertretungen in force."""
    caller = principal(request)
    return {
        "user": caller.user,
        "mandant": caller.mandant,
        "memberships": list(own_memberships(principal=caller)),
        "acting_for": [
            {
                "vertretung_id": row.pk,
                "person": row.vertretene_person,
                "valid_from": row.valid_from,
                "valid_until": row.valid_until,
            }
            for row in acting_for(principal=caller)
        ],
        "scopes": sorted(caller.scopes) if caller.scopes is not None else None,
    }
