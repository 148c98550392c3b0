"""The Akte policy as data: reader keys of an Akte's Dokumente and the keys of a principal.

An index entry is visible to a principal exactly when the two key sets overlap; this mirrors
``akte.permissions.akte_scope`` for ``view`` (proved by tests/suche/test_equivalence.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from amtsfluss.akte.models import Beteiligung, Vertraulichkeit
from amtsfluss.core.models import Role
from amtsfluss.core.permissions import Principal


@dataclass(frozen=True)
class AkteFacts:
    """What the policy looks at, for one Akte."""

    vertraulichkeit: str
    federfuehrende_oe_id: int
    #: (bearbeitende OE, Bearbeiter:in or None) of each Vorgang
    vorgaenge: tuple[tuple[int, int | None], ...]
    #: (Beteiligung id, unit id or None, user id or None) — validity is checked at query time
    grants: tuple[tuple[int, int | None, int | None], ...]


def akte_keys(facts: AkteFacts) -> tuple[str, ...]:
    keys: set[str] = {f"user:{user}" for _, user in facts.vorgaenge if user is not None}
    if facts.vertraulichkeit == Vertraulichkeit.OFFEN:
        keys.add(f"oe:{facts.federfuehrende_oe_id}")
        keys.update(f"oe:{unit}" for unit, _ in facts.vorgaenge)
        keys.update(f"grant:{grant}" for grant, _, _ in facts.grants)
    else:
        # confidential Akten: named persons only — never a unit grant
        keys.update(f"grant:{grant}" for grant, _, user in facts.grants if user is not None)
        if facts.vertraulichkeit == Vertraulichkeit.VERTRAULICH:
            keys.add(f"lead:{facts.federfuehrende_oe_id}")
    return tuple(sorted(keys))


def principal_keys(principal: Principal) -> frozenset[str]:
    """The principal's keys now: units, acting persons, units led, and valid Beteiligungen."""
    units = principal.unit_ids()
    acting = principal.acting_user_ids()
    grants = (
        Beteiligung.objects.filter(mandant=principal.mandant)
        .filter(Q(gueltig_bis__isnull=True) | Q(gueltig_bis__gt=principal.at))
        .filter(Q(user_id__in=acting) | Q(unit_id__in=units))
        .values_list("pk", flat=True)
    )
    return frozenset(
        _prefixed("oe", units)
        + _prefixed("user", acting)
        + _prefixed("lead", principal.unit_ids_with_role(Role.AMTSLEITUNG))
        + _prefixed("grant", grants)
    )


def _prefixed(prefix: str, ids: Iterable[int]) -> list[str]:
    return [f"{prefix}:{pk}" for pk in ids]
