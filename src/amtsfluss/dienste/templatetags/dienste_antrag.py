"""``{% antrag_link vorgang %}``: on the Vorgang page, the link to the online application it
came from (the page has authorised the Vorgang; an Antrag is seen exactly as its Vorgang)."""

from __future__ import annotations

from typing import Any

from django import template

from amtsfluss.akte.models import Vorgang
from amtsfluss.dienste.selectors.antrag import antrag_for_vorgang

register = template.Library()


@register.inclusion_tag("dienste/intern/_vorgang_antrag.html")
def antrag_link(vorgang: Vorgang) -> dict[str, Any]:
    return {"antrag": antrag_for_vorgang(vorgang)}
