"""The Akte policy as data: reader keys of an Akte's Dokumente and the keys of a principal.

An index entry is visible to a principal exactly when the two key sets overlap; this mirrors
``akte.permissions.akte_scope`` for ``view`` (proved by tests/suche/test_equivalence.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from amtsfluss.akte.models import Vertraulichkeit
from amtsfluss.core.models import Role
from amtsfluss.core.permissions import Principal
from amtsfluss.core.permissions.principal import UNIT_ROLES


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


@dataclass(frozen=True)
class SearchScope:
    """What one search may see, read at the moment of the search."""

    keys: frozenset[str]  #: the principal's reader keys
    hidden_akten: tuple[int, ...]  #: Akten whose entries are being rebuilt (fail closed)


_IN_UNIT_ROLES = f"IN ({', '.join(['%s'] * len(UNIT_ROLES))})"

#: One statement for the principal's facts, their valid Beteiligungen and the Akten being
#: rebuilt. ``acting`` and ``held`` are ``Principal._acting_ids`` and ``_units_by_role`` in SQL
#: (the user and whom they deputise for now; the roles valid now of those users, in the units
#: held and every unit below them); tests/suche/test_scope.py proves both give the same keys.
_SCOPE_SQL = f"""
WITH acting (id) AS (
    SELECT u.id FROM core_user u
    WHERE u.mandant_id = %s AND (u.id = %s OR u.id IN (
        SELECT v.vertretene_person_id FROM core_vertretung v
        JOIN core_user p ON p.id = v.vertretene_person_id
        WHERE v.mandant_id = %s AND v.vertretung_id = %s
            AND v.valid_from <= %s AND v.valid_until > %s AND p.is_active))
),
held (role, unit_id) AS (
    SELECT m.role, c.descendant_id FROM core_membership m
    JOIN core_organisationseinheitclosure c ON c.ancestor_id = m.unit_id
    WHERE m.mandant_id = %s AND m.user_id IN (SELECT id FROM acting)
        AND (m.valid_from IS NULL OR m.valid_from <= %s)
        AND (m.valid_until IS NULL OR m.valid_until > %s)
)
SELECT 'user', id FROM acting
UNION ALL SELECT 'oe', unit_id FROM held WHERE role {_IN_UNIT_ROLES}
UNION ALL SELECT 'lead', unit_id FROM held WHERE role = %s
UNION ALL SELECT 'grant', b.id FROM akte_beteiligung b
    WHERE b.mandant_id = %s AND (b.gueltig_bis IS NULL OR b.gueltig_bis > %s)
        AND (b.user_id IN (SELECT id FROM acting)
            OR b.unit_id IN (SELECT unit_id FROM held WHERE role {_IN_UNIT_ROLES}))
UNION ALL SELECT 'hidden', j.akte_id FROM suche_indexauftrag j WHERE j.mandant_id = %s
"""  # noqa: S608 (fixed text: only placeholders are filled in)


def search_scope(principal: Principal) -> SearchScope:
    """The principal's keys now — units (with everything below), acting persons (Vertretung),
    units led, valid Beteiligungen — and the Akten hidden while rebuilt, in one query.

    A search runs it once; nothing is cached across searches, so a membership, Vertretung or
    Beteiligung that changed (or whose time ran out) counts from the next search on.
    """
    mandant, user = principal.mandant.pk, principal.user.pk
    at = connection.ops.adapt_datetimefield_value(principal.at)
    params = [
        *(mandant, user, mandant, user, at, at),  # acting
        *(mandant, at, at),  # held
        *UNIT_ROLES,
        Role.AMTSLEITUNG.value,
        *(mandant, at, *UNIT_ROLES),  # grant
        mandant,  # hidden
    ]
    keys: set[str] = set()
    hidden: set[int] = set()
    with connection.cursor() as cursor:
        cursor.execute(_SCOPE_SQL, params)
        for kind, pk in cursor.fetchall():
            if kind == "hidden":
                hidden.add(int(pk))
            else:
                keys.add(f"{kind}:{pk}")
    return SearchScope(keys=frozenset(keys), hidden_akten=tuple(sorted(hidden)))


def principal_keys(principal: Principal) -> frozenset[str]:
    """The principal's keys now: units, acting persons, units led, and valid Beteiligungen."""
    return search_scope(principal).keys
