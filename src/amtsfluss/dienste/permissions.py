"""Who among the staff may see and change the catalogue (docs/permissions.md, "Online-Dienste").

* The catalogue (Leistungen, forms and their versions) is visible to all staff of the Mandant:
  it holds no personal data and is public once published.
* Fachadministration maintains it; the Amtsleitung over a Leistung's responsible unit maintains
  that Leistung and its form.
* Drafts (Entwürfe) belong to the applicant alone: no role of the staff reaches them. They are
  reached only through their link (``selectors.entwurf``).
* An Antrag (and its timeline) is seen and changed exactly as its Vorgang is (the E-Akte's
  rules: the responsible unit, assignees, Beteiligungen; ``akte.permissions``). The applicant
  reaches it only through the status link (``selectors.antrag.antrag_by_token``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from amtsfluss.akte.permissions import FollowsAkte
from amtsfluss.core.models import Role
from amtsfluss.core.permissions import Action, Principal, register
from amtsfluss.core.permissions.principal import EVERYTHING
from amtsfluss.dienste.models import (
    Antrag,
    AntragEreignis,
    Entwurf,
    EntwurfDatei,
    Formular,
    Formularversion,
    Leistung,
)

_NOTHING = Q(pk__in=[])


def catalogue_scope(principal: Principal, action: str, unit_path: str) -> Q:
    """Catalogue objects (Leistung and what hangs on it, ``unit_path`` to its unit): everyone
    of the Mandant reads them; the unit's Amtsleitung and the Fachadministration change them."""
    if action == Action.VIEW:
        return EVERYTHING
    return Q(
        **{f"{unit_path}__in": principal.unit_ids_with_role(Role.AMTSLEITUNG)}
    ) | principal.holds(Role.FACHADMINISTRATION)


class NeverConfidential:
    """Policy part of public catalogue objects: nothing about them is confidential."""

    def is_confidential(self, obj: Any) -> bool:
        return False


@register(Leistung)
class LeistungPolicy(NeverConfidential):
    def scope(self, principal: Principal, action: str) -> Q:
        return catalogue_scope(principal, action, "zustaendige_oe_id")


@register(Formular)
class FormularPolicy(NeverConfidential):
    def scope(self, principal: Principal, action: str) -> Q:
        return catalogue_scope(principal, action, "leistung__zustaendige_oe_id")


@register(Formularversion)
class FormularversionPolicy(NeverConfidential):
    def scope(self, principal: Principal, action: str) -> Q:
        return catalogue_scope(principal, action, "formular__leistung__zustaendige_oe_id")


@register(Entwurf)
class EntwurfPolicy(NeverConfidential):
    """Nobody of the staff: a draft is the applicant's until it is submitted."""

    def scope(self, principal: Principal, action: str) -> Q:
        return _NOTHING


@register(EntwurfDatei)
class EntwurfDateiPolicy(EntwurfPolicy):
    """A draft's files are the draft's: nobody of the staff."""


@register(Antrag)
class AntragPolicy(FollowsAkte):
    """Visible and changeable exactly when its Vorgang is (one subquery on the Akte)."""

    akte_path = "vorgang__akte"
    confidential_path = "vorgang__akte"


@register(AntragEreignis)
class AntragEreignisPolicy(FollowsAkte):
    akte_path = "antrag__vorgang__akte"
    confidential_path = "antrag__vorgang__akte"
