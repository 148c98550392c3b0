"""Pieces the E-Akte pages share: paging, safe redirects, and the choices their forms offer."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from amtsfluss.akte.models import Akte
from amtsfluss.core.models import (
    Membership,
    Organisationseinheit,
    OrganisationseinheitClosure,
    User,
)
from amtsfluss.core.permissions import Action, Principal, permitted
from amtsfluss.core.permissions.principal import valid_at
from amtsfluss.core.selectors.organisation import unit_list
from amtsfluss.core.selectors.users import staff_user_list

PAGE_SIZE = 50


@dataclass(frozen=True)
class Pagination:
    number: int
    pages: int
    total: int
    first_row: int
    last_row: int
    previous_url: str | None
    next_url: str | None


def page_number(request: HttpRequest) -> int:
    """The ``seite`` parameter; anything that is not a positive number is the first page."""
    raw = request.GET.get("seite", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 1_000_000 else 1


def offset_of(number: int, size: int = PAGE_SIZE) -> int:
    return (number - 1) * size


def pagination(
    request: HttpRequest, *, number: int, total: int, shown: int, size: int = PAGE_SIZE
) -> Pagination:
    """Links to the previous and next page that keep the other query parameters."""
    pages = max(1, -(-total // size))

    def url(target: int) -> str:
        query = request.GET.copy()
        query["seite"] = str(target)
        return f"{request.path}?{query.urlencode()}"

    first = offset_of(number, size) + 1 if shown else 0
    return Pagination(
        number=number,
        pages=pages,
        total=total,
        first_row=first,
        last_row=first + shown - 1 if shown else 0,
        previous_url=url(number - 1) if number > 1 else None,
        next_url=url(number + 1) if number < pages else None,
    )


def safe_next(request: HttpRequest, default: str) -> str:
    """Where a form's ``next`` field points, if it stays on this site; else ``default``."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def back_to(viewname: str, pk: int) -> HttpResponseRedirect:
    """After a change, back to the page, at its top where the message is shown.

    The action forms post to ``…#<form>`` so that a form with errors is in view; an explicit
    fragment keeps the browser from carrying that one over the redirect.
    """
    return HttpResponseRedirect(reverse(viewname, kwargs={"pk": pk}) + "#inhalt")


def may_change_akte(principal: Principal, akte_id: int) -> bool:
    """Whether the principal may work on the Akte (one query; for showing the actions)."""
    return permitted(Akte, principal=principal, action=Action.CHANGE).filter(pk=akte_id).exists()


# --- choices of the forms (each one query when the form is rendered) ----------------------------


def active_staff(principal: Principal) -> QuerySet[User]:
    return staff_user_list(principal=principal).filter(is_active=True)


def all_units(principal: Principal) -> QuerySet[Organisationseinheit]:
    return unit_list(principal=principal).filter(is_active=True)


def own_units(principal: Principal) -> QuerySet[Organisationseinheit]:
    """The units in which the principal works (roles held there or above them)."""
    return all_units(principal).filter(pk__in=principal.unit_ids())


def staff_of_unit(principal: Principal, unit_id: int, *, keep: int | None = None) -> QuerySet[User]:
    """Active staff with a role, valid now, in the unit or a unit below it.

    ``keep`` (the current Bearbeiter:in) stays among the choices even if they moved on, so
    that a form shows the value as it is.
    """
    below = OrganisationseinheitClosure.objects.filter(ancestor_id=unit_id).values("descendant_id")
    members = Membership.objects.filter(valid_at(principal.at), unit_id__in=below).values("user_id")
    chosen = Q(pk__in=members, is_active=True)
    if keep is not None:
        chosen |= Q(pk=keep)
    return staff_user_list(principal=principal).filter(chosen)
