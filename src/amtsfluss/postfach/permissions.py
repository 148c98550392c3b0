"""Who sees a Nachricht: whoever sees its Vorgang (``akte/permissions.py``); who may work on
the Vorgang may write to its applicant. The applicant is no principal: the citizen side is
reached only through the Antrag's status token (``views/buerger.py``)."""

from __future__ import annotations

from amtsfluss.akte.permissions import VorgangPolicy
from amtsfluss.core.permissions import register
from amtsfluss.postfach.models import Nachricht


@register(Nachricht)
class NachrichtPolicy(VorgangPolicy):
    akte_path = "vorgang__akte"
    confidential_path = "vorgang__akte"
