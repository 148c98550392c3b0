from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.db.models import Q, QuerySet
from django.utils import timezone

from amtsfluss.core.models import Mandant, Membership, Role, User, Vertretung

#: Roles that hold for the whole Mandant, wherever in the tree the membership sits.
MANDANT_WIDE_ROLES = frozenset({Role.DATENSCHUTZ, Role.FACHADMINISTRATION})
UNIT_ROLES = tuple(role for role in Role.values if role not in MANDANT_WIDE_ROLES)
_NOTHING = Q(pk__in=[])
#: Always true. An empty ``Q()`` would vanish when OR-ed with another condition.
EVERYTHING = Q(pk__isnull=False)


def valid_at(at: datetime, prefix: str = "") -> Q:
    """Rows whose optional ``valid_from``/``valid_until`` window contains ``at``."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": at})) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gt": at})
    )


@dataclass(frozen=True)
class Principal:
    """The acting user within one Mandant at one moment.

    ``scopes`` is ``None`` for an interactive session and the API key's scopes otherwise.

    The principal's own facts — whom they act for (Vertretung) and in which units each of their
    roles applies — are loaded once, in two small queries, the first time a policy asks. Every
    ``permitted()`` query then carries them as literal id lists, so it stays one SQL query and
    is cheap to build (nested subqueries cost ~20 ms of ORM work per query).
    """

    user: User
    mandant: Mandant
    at: datetime = field(default_factory=timezone.now)
    scopes: frozenset[str] | None = None

    @classmethod
    def for_user(cls, user: User, *, scopes: frozenset[str] | None = None) -> Principal:
        if user.mandant is None:
            raise ValueError("Platform operators act on no Mandant's data.")
        return cls(user=user, mandant=user.mandant, scopes=scopes)

    @property
    def is_member_of_mandant(self) -> bool:
        return self.user.is_active and self.user.mandant_id == self.mandant.pk

    @cached_property
    def _scopes(self) -> dict[tuple[str, str], Q]:
        return {}

    def scope_memo(self, name: str, action: str, build: Callable[[], Q]) -> Q:
        """A policy's scope for this principal, built once per principal (i.e. per request).

        Building a scope of many subqueries costs milliseconds of ORM work; a page that asks the
        same policy several times (a list, its counts, the actions on it) pays it once. The Q
        is only read by the queries it is added to (Django copies what it resolves).
        """
        key = (name, action)
        if key not in self._scopes:
            self._scopes[key] = build()
        return self._scopes[key]

    @cached_property
    def _acting_ids(self) -> tuple[int, ...]:
        represented = Vertretung.objects.filter(
            mandant=self.mandant,
            vertretung=self.user,
            valid_from__lte=self.at,
            valid_until__gt=self.at,
            vertretene_person__is_active=True,
        ).values("vertretene_person_id")
        return tuple(
            User.objects.filter(Q(pk=self.user.pk) | Q(pk__in=represented), mandant=self.mandant)
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    @cached_property
    def _units_by_role(self) -> dict[str, frozenset[int]]:
        """role → ids of units where it applies (units held and everything below them)."""
        rows = (
            Membership.objects.filter(
                valid_at(self.at), mandant=self.mandant, user_id__in=self._acting_ids
            )
            .values_list("role", "unit__descendant_links__descendant_id")
            .distinct()
        )
        collected: dict[str, set[int]] = defaultdict(set)
        for role, unit_id in rows:
            collected[role].add(unit_id)
        return {role: frozenset(ids) for role, ids in collected.items()}

    def memberships(self, *roles: str) -> QuerySet[Membership]:
        """Memberships valid now of the acting users (for display), optionally of ``roles``."""
        qs = Membership.objects.filter(
            valid_at(self.at), mandant=self.mandant, user_id__in=self._acting_ids
        )
        return qs.filter(role__in=roles) if roles else qs

    def acting_user_ids(self) -> list[int]:
        """The user plus everybody they deputise for right now (Vertretung)."""
        return list(self._acting_ids)

    def unit_ids_with_role(self, *roles: str) -> list[int]:
        """Ids of units where one of ``roles`` applies: the units held and all below them."""
        found: set[int] = set()
        for role in roles:
            found |= self._units_by_role.get(role, frozenset())
        return sorted(found)

    def unit_ids(self) -> list[int]:
        """Ids of units where the principal holds any unit-scoped role."""
        return self.unit_ids_with_role(*UNIT_ROLES)

    def has_role(self, *roles: str) -> bool:
        """Whether an acting user holds one of ``roles`` anywhere in the Mandant."""
        return any(role in self._units_by_role for role in roles)

    def holds(self, *roles: str) -> Q:
        """A Q admitting every row when one of ``roles`` is held anywhere, else no row."""
        return EVERYTHING if self.has_role(*roles) else _NOTHING

    def allows(self, action: str) -> bool:
        """Whether the API key's scopes admit ``action`` (sessions admit everything)."""
        if self.scopes is None:
            return True
        if action == "view":
            return "read" in self.scopes or "write" in self.scopes
        return "write" in self.scopes
