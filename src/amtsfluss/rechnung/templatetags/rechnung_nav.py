"""Whether the web nav offers "E-Rechnungen": to staff for whom the register holds anything."""

from __future__ import annotations

from typing import Any

from django import template

from amtsfluss.core.models import User
from amtsfluss.core.permissions import Principal
from amtsfluss.rechnung.selectors.pages import may_see_rechnungen

register = template.Library()


@register.simple_tag(takes_context=True)
def rechnungen_in_nav(context: dict[str, Any]) -> bool:
    """True for a staff member of the request's Mandant who may see invoices (at most 3 queries:
    the principal's facts, then one ``EXISTS``)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    mandant = getattr(request, "mandant", None)
    if not isinstance(user, User) or user.is_platform_operator or mandant is None:
        return False
    if user.mandant_id != mandant.pk:
        return False
    return may_see_rechnungen(Principal(user=user, mandant=mandant))
