"""Who may see, draft and sign a Bescheid (docs/design/bescheid.md, docs/permissions.md).

* See: whoever sees its Vorgang (the E-Akte rules).
* Draft, change, ask for the Schlusszeichnung: whoever may work on its Vorgang.
* Sign (``Action.MANAGE``): the Amtsleitung over the Vorgang's bearbeitende OE who also sees the
  Vorgang. The services add the four-eyes rules (the person asked, never the drafter).
"""

from __future__ import annotations

from django.db.models import Q

from amtsfluss.akte.permissions import FollowsAkte
from amtsfluss.bescheid.models import Bescheid, BescheidVorlage
from amtsfluss.core.models import Role
from amtsfluss.core.permissions import Action, Principal, register
from amtsfluss.dienste.permissions import NeverConfidential, catalogue_scope

SIGN = Action.MANAGE


@register(Bescheid)
class BescheidPolicy(FollowsAkte):
    akte_path = "vorgang__akte"
    confidential_path = "vorgang__akte"

    def scope(self, principal: Principal, action: str) -> Q:
        if action == SIGN:
            leads = principal.unit_ids_with_role(Role.AMTSLEITUNG)
            return Q(vorgang__bearbeitende_oe_id__in=leads) & super().scope(principal, Action.VIEW)
        return super().scope(principal, action)


@register(BescheidVorlage)
class BescheidVorlagePolicy(NeverConfidential):
    """A template is maintained like its Leistung (Fachadministration, Amtsleitung over the
    responsible unit) and visible to all staff: it holds no personal data."""

    def scope(self, principal: Principal, action: str) -> Q:
        return catalogue_scope(principal, action, "leistung__zustaendige_oe_id")
