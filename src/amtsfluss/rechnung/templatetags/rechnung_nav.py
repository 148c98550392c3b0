"""Whether the web nav offers "E-Rechnungen": to staff for whom the register holds anything."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import Http404

from amtsfluss.rechnung.selectors.pages import may_see_rechnungen
from amtsfluss.web.access import staff_principal

register = template.Library()


@register.simple_tag(takes_context=True)
def rechnungen_in_nav(context: dict[str, Any]) -> bool:
    """True for a staff member of the request's Mandant who may see invoices (at most one
    ``EXISTS`` beyond the request principal's facts)."""
    request = context.get("request")
    if request is None:
        return False
    try:
        principal = staff_principal(request)  # the request's own: its facts are loaded already
    except Http404:
        return False
    return may_see_rechnungen(principal)
