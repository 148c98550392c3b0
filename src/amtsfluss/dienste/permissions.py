"""Who among the staff may see and change the catalogue (docs/permissions.md, "Online-Dienste").

* The catalogue (Leistungen, forms and their versions) is visible to all staff of the Mandant:
  it holds no personal data and is public once published.
* Fachadministration maintains it; the Amtsleitung over a Leistung's responsible unit maintains
  that Leistung and its form.
* Drafts (Entwürfe) belong to the applicant alone: no role of the staff reaches them. They are
  reached only through their link (``selectors.entwurf``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from amtsfluss.core.models import Role
from amtsfluss.core.permissions import Action, Principal, register
from amtsfluss.core.permissions.principal import EVERYTHING
from amtsfluss.dienste.models import Entwurf, Formular, Formularversion, Leistung

_NOTHING = Q(pk__in=[])


def _catalogue_scope(principal: Principal, action: str, unit_path: str) -> Q:
    if action == Action.VIEW:
        return EVERYTHING
    return Q(
        **{f"{unit_path}__in": principal.unit_ids_with_role(Role.AMTSLEITUNG)}
    ) | principal.holds(Role.FACHADMINISTRATION)


class _Public:
    def is_confidential(self, obj: Any) -> bool:
        return False


@register(Leistung)
class LeistungPolicy(_Public):
    def scope(self, principal: Principal, action: str) -> Q:
        return _catalogue_scope(principal, action, "zustaendige_oe_id")


@register(Formular)
class FormularPolicy(_Public):
    def scope(self, principal: Principal, action: str) -> Q:
        return _catalogue_scope(principal, action, "leistung__zustaendige_oe_id")


@register(Formularversion)
class FormularversionPolicy(_Public):
    def scope(self, principal: Principal, action: str) -> Q:
        return _catalogue_scope(principal, action, "formular__leistung__zustaendige_oe_id")


@register(Entwurf)
class EntwurfPolicy(_Public):
    """Nobody of the staff: a draft is the applicant's until it is submitted."""

    def scope(self, principal: Principal, action: str) -> Q:
        return _NOTHING
