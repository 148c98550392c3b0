"""LeiKa keys: the 14-digit identifier of a service in the federal Leistungskatalog."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from amtsfluss.core.errors import ServiceError
from amtsfluss.dienste.models import LEIKA_LENGTH

_KEY = re.compile(rf"[0-9]{{{LEIKA_LENGTH}}}")


def validate_leika(value: object) -> str:
    """The key (exactly 14 ASCII digits), else ``ServiceError``."""
    if isinstance(value, str) and _KEY.fullmatch(value):
        return value
    shown = value[:30] if isinstance(value, str) else type(value).__name__
    raise ServiceError(
        _("The LeiKa key must consist of exactly %(length)d digits, not %(value)r.")
        % {"length": LEIKA_LENGTH, "value": shown}
    )
