"""Deadline and status badges, rendered in Python: they appear in every row of the inbox and
the Akte page, where a template ``{% include %}`` per cell cost more than the rest of the row."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from amtsfluss.akte.models import Vorgang, VorgangStatus

register = template.Library()

_BADGE = (
    '<span class="kern-badge kern-badge--{} kern-badge--small">'
    '<span class="kern-label kern-label--small">{}</span></span>'
)


@register.simple_tag(takes_context=True)
def frist(context: dict[str, Any], value: date | None, done: object = None) -> SafeString:
    """A date with "overdue" / "today" badges (none once ``done``); a dash when there is none."""
    if value is None:
        return format_html(
            '<span aria-hidden="true">–</span><span class="kern-sr-only">{}</span>', _("none")
        )
    shown = format_html(
        '<span class="af-nowrap">{}</span>', date_filter(value, "SHORT_DATE_FORMAT")
    )
    if done:
        return shown
    today = context.get("today") or timezone.localdate()
    if value < today:
        return format_html("{} " + _BADGE, shown, "danger", _("overdue"))
    if value == today:
        return format_html("{} " + _BADGE, shown, "warning", _("today"))
    return shown


@register.simple_tag
def vorgang_status(vorgang: Vorgang) -> SafeString:
    label = vorgang.get_status_display()
    if vorgang.status == VorgangStatus.ERLEDIGT:
        return format_html('<span class="kern-body kern-body--small">{}</span>', label)
    if vorgang.status == VorgangStatus.NEU:
        return format_html(_BADGE, "info", label)
    return format_html('<span class="kern-body">{}</span>', label)
