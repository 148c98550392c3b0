"""``{% load postfach_link %}{% postfach_link vorgang %}``: on a staff page that has authorised
the Vorgang, the link to its Postfach with the number of unread answers (one query)."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, Q

from amtsfluss.akte.models import Vorgang
from amtsfluss.postfach.models import Nachricht, Richtung

register = template.Library()


@register.inclusion_tag("postfach/_vorgang_link.html")
def postfach_link(vorgang: Vorgang) -> dict[str, Any]:
    counts = Nachricht.objects.filter(vorgang=vorgang).aggregate(
        alle=Count("pk"),
        ungelesen=Count(
            "pk", filter=Q(richtung=Richtung.VON_ANTRAGSTELLER, gelesen_am__isnull=True)
        ),
    )
    return {"vorgang": vorgang, **counts}
