"""Who among the staff may see and change Forderungen (registered with the permission engine).

* The Kasse (Stadtkasse) is a central service: a member of the Kasse sees and books every
  Forderung of the Mandant, wherever the membership sits (as for invoices).
* The levying unit (the Forderung's unit, and the units above it through reaching roles) sees
  its own Forderungen, but does not book payments.
* Bank entries (Kontoumsätze) and online payments are the Kasse's.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from amtsfluss.core.models import Role
from amtsfluss.core.permissions import Action, Principal, register
from amtsfluss.kasse.models import Empfaenger, Forderung, Kontoumsatz, OnlineZahlung


class _NotConfidential:
    def is_confidential(self, obj: Any) -> bool:
        return False


@register(Forderung)
class ForderungPolicy(_NotConfidential):
    def scope(self, principal: Principal, action: str) -> Q:
        kasse = principal.holds(Role.KASSE)
        if action == Action.VIEW:
            return kasse | Q(unit_id__in=principal.unit_ids())
        return kasse


class _KasseOnly(_NotConfidential):
    def scope(self, principal: Principal, action: str) -> Q:
        return principal.holds(Role.KASSE)


@register(Kontoumsatz)
class KontoumsatzPolicy(_KasseOnly):
    pass


@register(OnlineZahlung)
class OnlineZahlungPolicy(_KasseOnly):
    pass


@register(Empfaenger)
class EmpfaengerPolicy(_NotConfidential):
    """The receiving account is public (it is printed on every Bescheid); the Kasse and
    Fachadministration maintain it."""

    def scope(self, principal: Principal, action: str) -> Q:
        if action == Action.VIEW:
            return Q(pk__isnull=False)
        return principal.holds(Role.KASSE, Role.FACHADMINISTRATION)
