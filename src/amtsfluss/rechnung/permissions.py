"""Who may see and work on invoices — registered with the platform's permission engine.

Rules (docs/design/rechnung-workflow.md, "Permissions"):

* a routed Rechnung: every person with a role in its unit or above it (roles reach down);
* Kasse and — for routed ones — Rechnungsprüfung: every Rechnung of the Mandant. Both are
  central services (Stadtkasse, Rechnungsprüfungsamt), so for invoices the role counts wherever
  the membership sits, not only below it;
* an unrouted Rechnung (Klärung): Kasse and Fachadministration, who route it;
* approval steps follow their Rechnung; a Zahlungslauf is the Kasse's;
* routing table, settings and Anordnungsbefugnisse are maintained by Fachadministration.

Which step a person may *decide* is checked in the services (``services/freigabe.py``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from amtsfluss.core.models import Role
from amtsfluss.core.permissions import Action, Principal, register
from amtsfluss.core.permissions.principal import EVERYTHING
from amtsfluss.rechnung.models import (
    Anordnungsbefugnis,
    Leitweg,
    Pruefschritt,
    Rechnung,
    RechnungEinstellungen,
    Zahlungslauf,
)


def rechnung_scope(principal: Principal, action: str) -> Q:
    """The Q over ``Rechnung`` admitting exactly what ``principal`` may ``action`` on."""
    routed = Q(unit__isnull=False)
    return (
        Q(unit_id__in=principal.unit_ids())
        | principal.holds(Role.KASSE)
        | (routed & principal.holds(Role.RECHNUNGSPRUEFUNG))
        | (Q(unit__isnull=True) & principal.holds(Role.FACHADMINISTRATION))
    )


class _NotConfidential:
    def is_confidential(self, obj: Any) -> bool:
        return False


@register(Rechnung)
class RechnungPolicy(_NotConfidential):
    def scope(self, principal: Principal, action: str) -> Q:
        return rechnung_scope(principal, action)


@register(Pruefschritt)
class PruefschrittPolicy(_NotConfidential):
    def scope(self, principal: Principal, action: str) -> Q:
        visible = Rechnung.objects.filter(mandant=principal.mandant).filter(
            rechnung_scope(principal, action)
        )
        return Q(rechnung_id__in=visible.values("pk"))


@register(Zahlungslauf)
class ZahlungslaufPolicy(_NotConfidential):
    def scope(self, principal: Principal, action: str) -> Q:
        return principal.holds(Role.KASSE)


@register(Leitweg)
class LeitwegPolicy(_NotConfidential):
    """The routing table is visible to all staff (who owns which Leitweg-ID)."""

    def scope(self, principal: Principal, action: str) -> Q:
        if action == Action.VIEW:
            return EVERYTHING
        return principal.holds(Role.FACHADMINISTRATION)


@register(RechnungEinstellungen)
class RechnungEinstellungenPolicy(_NotConfidential):
    def scope(self, principal: Principal, action: str) -> Q:
        if action == Action.VIEW:
            return principal.holds(Role.FACHADMINISTRATION, Role.KASSE)
        return principal.holds(Role.FACHADMINISTRATION)


@register(Anordnungsbefugnis)
class AnordnungsbefugnisPolicy(_NotConfidential):
    """Own Befugnisse are visible; Kasse sees all, Fachadministration maintains them."""

    def scope(self, principal: Principal, action: str) -> Q:
        if action == Action.VIEW:
            return Q(user_id__in=principal.acting_user_ids()) | principal.holds(
                Role.KASSE, Role.FACHADMINISTRATION
            )
        return principal.holds(Role.FACHADMINISTRATION)
