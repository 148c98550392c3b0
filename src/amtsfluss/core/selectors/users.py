"""Staff of the principal's Mandant (the directory is visible to all staff, by policy)."""

from __future__ import annotations

from django.db.models import QuerySet

from amtsfluss.core.models import User
from amtsfluss.core.permissions import Action, Principal, permitted


def staff_user_list(*, principal: Principal) -> QuerySet[User]:
    return permitted(User, principal=principal, action=Action.VIEW).order_by("username", "pk")


def staff_user_find(*, principal: Principal, pk: int) -> User | None:
    """The visible staff member ``pk``, or ``None`` (for resolving ids in input, not for reads)."""
    return staff_user_list(principal=principal).filter(pk=pk).first()
