"""Mandanten for the platform operator (who is no member of any Mandant, so no engine policy).

The rule is the one of ``core.services.mandant``: only the platform operator sees Mandanten.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from amtsfluss.core.models import Mandant, User


def mandant_list(*, by: User) -> QuerySet[Mandant]:
    rows = Mandant.objects.prefetch_related("hosts").order_by("name", "pk")
    return rows if by.is_platform_operator else rows.none()


def mandant_get(*, by: User, pk: int) -> Mandant:
    found = mandant_list(by=by).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
