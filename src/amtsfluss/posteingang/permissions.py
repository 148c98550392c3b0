"""Who sees the Posteingang: the staff of the receiving unit (and the units above it with a
role there), as everywhere through ``principal.unit_ids()``; another unit or Mandant sees
nothing. Filed Dokumente then follow their Akte's policy."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from amtsfluss.core.permissions import Principal, register
from amtsfluss.posteingang.models import Eingang, Sendung, Transfervermerk


class _OfUnit:
    unit_path = "unit_id"

    def scope(self, principal: Principal, action: str) -> Q:
        return Q(**{f"{self.unit_path}__in": principal.unit_ids()})

    def is_confidential(self, obj: Any) -> bool:
        return False


@register(Sendung)
class SendungPolicy(_OfUnit):
    pass


@register(Eingang)
class EingangPolicy(_OfUnit):
    pass


@register(Transfervermerk)
class TransfervermerkPolicy(_OfUnit):
    unit_path = "eingang__unit_id"
