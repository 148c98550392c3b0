"""The audit log (read by Datenschutz only, as the policy says)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, P, PathEx, Query, Router, Schema

from amtsfluss.api.auth import principal
from amtsfluss.api.schemas import (
    AUTH_ERRORS,
    MAX_ID,
    OBJECT_ERRORS,
    Line,
    Moment,
    Page,
    PageParams,
    paginate,
)
from amtsfluss.core.models import AuditEvent
from amtsfluss.core.selectors.audit import audit_event_get, audit_event_list

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    id: int
    seq: int
    occurred_at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    object_type: str
    object_id: str
    outcome: str
    client_address: str
    details: dict[str, Any]
    prev_hash: str
    hash: str


class AuditEventPage(Page):
    items: list[AuditEventOut]


class AuditEventFilter(Schema):
    action: Line | None = Field(None, max_length=80, description="e.g. `login.failed`")
    object_type: Line | None = Field(None, max_length=80, description="e.g. `core.membership`")
    object_id: Line | None = Field(None, max_length=80)
    since: Moment | None = Field(None, description="occurred at or after (with time zone)")
    until: Moment | None = Field(None, description="occurred before (with time zone)")


@router.get(
    "/audit-events",
    response={200: AuditEventPage, **AUTH_ERRORS},
    operation_id="audit_events_list",
)
def audit_events_list(
    request: HttpRequest, page: Query[PageParams], filters: Query[AuditEventFilter]
) -> dict[str, Any]:
    """Events of the Mandant, newest first."""
    rows = audit_event_list(
        principal=principal(request),
        action=filters.action,
        object_type=filters.object_type,
        object_id=filters.object_id,
        since=filters.since,
        until=filters.until,
    )
    return paginate(rows, page)


@router.get(
    "/audit-events/{id}",
    response={200: AuditEventOut, **OBJECT_ERRORS},
    operation_id="audit_events_get",
)
def audit_events_get(request: HttpRequest, id: PathEx[int, P(ge=1, le=MAX_ID)]) -> AuditEvent:
    return audit_event_get(principal=principal(request), pk=id)
