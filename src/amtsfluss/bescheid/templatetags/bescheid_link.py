"""Links into the Bescheid pages for other staff pages (the lead places them):

* ``{% load bescheid_link %}{% bescheid_link vorgang %}`` — on a page that has authorised the
  Vorgang: its Bescheide with the status of the newest (one query).
* ``{% schlusszeichnung_link %}`` — on any staff page: how many Bescheide wait for the
  signed-in person's Schlusszeichnung (one query), nothing when none do.
"""

from __future__ import annotations

from typing import Any

from django import template

from amtsfluss.akte.models import Vorgang
from amtsfluss.bescheid.selectors import bescheide_for_vorgang, zur_schlusszeichnung
from amtsfluss.web.access import staff_principal

register = template.Library()


@register.inclusion_tag("bescheid/_vorgang_link.html")
def bescheid_link(vorgang: Vorgang) -> dict[str, Any]:
    return {"vorgang": vorgang, "newest": bescheide_for_vorgang(vorgang).first()}


@register.inclusion_tag("bescheid/_schlusszeichnung_link.html", takes_context=True)
def schlusszeichnung_link(context: template.Context) -> dict[str, Any]:
    principal = staff_principal(context["request"])
    return {"count": zur_schlusszeichnung(principal=principal).count()}
