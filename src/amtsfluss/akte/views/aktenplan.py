"""The Aktenplan as a tree, and forming a new Akte at one of its leaves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from amtsfluss.akte.forms import AkteCreateForm
from amtsfluss.akte.models import Aktenplanposition
from amtsfluss.akte.selectors.akte import aktenplan_tree
from amtsfluss.akte.services.akte import check_akte_create
from amtsfluss.akte.views.common import own_units
from amtsfluss.core.errors import PermissionDenied, ServiceError
from amtsfluss.core.permissions import Action, Principal, access
from amtsfluss.web.access import staff_principal


@dataclass
class Node:
    position: Aktenplanposition
    children: list[Node] = field(default_factory=list)
    akten_total: int = 0
    """Akten at this position and every position below it."""

    @property
    def may_form_akte(self) -> bool:
        return self.position.is_leaf and self.position.is_active


def build_tree(positions: Sequence[Aktenplanposition]) -> list[Node]:
    """The flat list (in Kennzeichen order) as nested nodes, with the Akten counted upwards."""
    nodes = {position.pk: Node(position) for position in positions}
    roots: list[Node] = []
    for position in positions:
        parent = nodes.get(position.parent_id) if position.parent_id else None
        (parent.children if parent else roots).append(nodes[position.pk])

    def count(node: Node) -> int:
        akten: int = node.position.akten_count  # type: ignore[attr-defined]
        node.akten_total = akten + sum(count(child) for child in node.children)
        return node.akten_total

    for root in roots:
        count(root)
    return roots


@never_cache
@login_required
@require_GET
def aktenplan(request: HttpRequest) -> HttpResponse:
    principal = staff_principal(request)
    positions = aktenplan_tree(principal=principal)
    return render(
        request,
        "akte/aktenplan.html",
        {"roots": build_tree(positions), "position_count": len(positions)},
    )


def _position(principal: Principal, pk: int) -> Aktenplanposition:
    return access(
        Aktenplanposition,
        principal=principal,
        action=Action.VIEW,
        pk=pk,
        queryset=Aktenplanposition.objects.select_related("federfuehrende_oe"),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def akte_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Form an Akte at the position; its Aktenzeichen is issued when it is saved."""
    principal = staff_principal(request)
    position = _position(principal, pk)
    units = own_units(principal)
    preselected = (
        position.federfuehrende_oe_id
        if position.federfuehrende_oe_id in principal.unit_ids()
        else None
    )
    form = AkteCreateForm(
        request.POST if request.method == "POST" else None,
        units=units,
        initial={"federfuehrende_oe": preselected},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                akte = check_akte_create(
                    principal=principal, position=position, **form.cleaned_data
                )
            except ServiceError as exc:
                form.add_error(None, exc.message)
                status = 403 if isinstance(exc, PermissionDenied) else 400
            else:
                messages.success(request, _("The Akte %s has been formed.") % akte.aktenzeichen)
                return redirect("akte:akte", pk=akte.pk)
    return render(
        request,
        "akte/akte_create.html",
        {
            "position": position,
            "form": form,
            "may_form": position.is_leaf and position.is_active,
            "works_in_a_unit": bool(principal.unit_ids()),
        },
        status=status,
    )
