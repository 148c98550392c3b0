"""The audit log as the principal may read it (Datenschutz only, by policy)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from amtsfluss.core.models import AuditEvent
from amtsfluss.core.permissions import Action, Principal, access, permitted


def audit_event_list(
    *,
    principal: Principal,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    """Events of the principal's Mandant, newest first; ``since`` inclusive, ``until`` exclusive."""
    rows = permitted(AuditEvent, principal=principal, action=Action.VIEW)
    if action:
        rows = rows.filter(action=action)
    if object_type:
        rows = rows.filter(object_type=object_type)
    if object_id:
        rows = rows.filter(object_id=object_id)
    if since is not None:
        rows = rows.filter(occurred_at__gte=since)
    if until is not None:
        rows = rows.filter(occurred_at__lt=until)
    return rows.order_by("-seq")


def audit_event_get(*, principal: Principal, pk: int) -> AuditEvent:
    return access(AuditEvent, principal=principal, action=Action.VIEW, pk=pk)
