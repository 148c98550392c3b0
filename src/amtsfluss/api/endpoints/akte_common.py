"""Shared pieces of the E-Akte operations: resolving ids named in a request body.

An id in the *path* names the object operated on: ``access_*`` fetches it, and anything not
permitted is a 404. An id in the *body* names a reference (a unit, a person, a position); one
that does not exist for the caller is refused input (400) with a message, as elsewhere in the API.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from amtsfluss.akte.models import Aktenplanposition
from amtsfluss.core.errors import PermissionDenied, ServiceError
from amtsfluss.core.models import Organisationseinheit, User
from amtsfluss.core.permissions import Action, Principal, permitted
from amtsfluss.core.selectors.organisation import unit_list
from amtsfluss.core.selectors.users import staff_user_find


def clean_unit(principal: Principal, pk: int | None) -> Organisationseinheit | None:
    if pk is None:
        return None
    unit = unit_list(principal=principal).filter(pk=pk).first()
    if unit is None:
        raise ServiceError(_("This unit does not exist."))
    return unit


def clean_user(principal: Principal, pk: int | None) -> User | None:
    if pk is None:
        return None
    user = staff_user_find(principal=principal, pk=pk)
    if user is None:
        raise ServiceError(_("Unknown person: %s") % pk, code="unknown_person")
    return user


def clean_position(principal: Principal, pk: int) -> Aktenplanposition:
    position = (
        permitted(Aktenplanposition, principal=principal, action=Action.VIEW).filter(pk=pk).first()
    )
    if position is None:
        raise ServiceError(_("This Aktenplan position does not exist."))
    return position


def require_write_key(principal: Principal) -> None:
    """A read-scope key changes nothing (for writes whose target is only fetched for viewing)."""
    if not principal.allows(Action.CREATE):
        raise PermissionDenied(_("This key may not change anything."))
