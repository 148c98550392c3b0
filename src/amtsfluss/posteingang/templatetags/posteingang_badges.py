"""The state of an Eingang as a badge, rendered in Python (one per row of the intake page)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from amtsfluss.posteingang.models import Eingang, EingangStatus

register = template.Library()

_KIND = {
    EingangStatus.BEREIT: "success",
    EingangStatus.KLAERUNG: "warning",
    EingangStatus.ABGEWIESEN: "danger",
}


@register.simple_tag
def eingang_status(eingang: Eingang) -> SafeString:
    return format_html(
        '<span class="kern-badge kern-badge--{} kern-badge--small">'
        '<span class="kern-label kern-label--small">{}</span></span>',
        _KIND.get(EingangStatus(eingang.status), "info"),
        eingang.get_status_display(),
    )


@register.simple_tag
def dokumenttyp_choices() -> list[tuple[str, str]]:
    """The Dokumenttypen a correction may choose (value, translated label)."""
    from amtsfluss.akte.models import Dokumenttyp

    return [(str(value), str(label)) for value, label in Dokumenttyp.choices]
