"""Small template helpers of the pages."""

from __future__ import annotations

from django import template

register = template.Library()

#: Django message level tag -> KERN alert variant (and its icon).
_ALERT_KINDS = {"debug": "info", "info": "info", "success": "success", "warning": "warning"}


@register.filter
def kern_alert_kind(level_tag: str) -> str:
    """``error`` and anything unknown become ``danger``: better too loud than missed."""
    return _ALERT_KINDS.get(level_tag, "danger")
