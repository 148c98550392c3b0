from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Exists, Q, QuerySet
from django.utils import timezone

from amtsfluss.core.models import (
    Mandant,
    Membership,
    OrganisationseinheitClosure,
    Role,
    User,
    Vertretung,
)

#: Roles that hold for the whole Mandant, wherever in the tree the membership sits.
MANDANT_WIDE_ROLES = frozenset({Role.DATENSCHUTZ, Role.FACHADMINISTRATION})


def _valid_at(at: datetime, prefix: str = "") -> Q:
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": at})) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gt": at})
    )


@dataclass(frozen=True)
class Principal:
    """The acting user within one Mandant at one moment.

    ``scopes`` is ``None`` for an interactive session and the API key's scopes otherwise.
    All methods return lazy querysets meant to be used as subqueries.
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

    def acting_user_ids(self) -> QuerySet[User, int]:
        """The user plus everybody they deputise for right now (Vertretung), as a subquery."""
        represented = Vertretung.objects.filter(
            mandant=self.mandant,
            vertretung=self.user,
            valid_from__lte=self.at,
            valid_until__gt=self.at,
            vertretene_person__is_active=True,
        ).values("vertretene_person_id")
        return User.objects.filter(
            Q(pk=self.user.pk) | Q(pk__in=represented), mandant=self.mandant
        ).values_list("pk", flat=True)

    def memberships(self, *roles: str) -> QuerySet[Membership]:
        """Memberships valid now of the acting users, optionally limited to ``roles``."""
        qs = Membership.objects.filter(
            _valid_at(self.at), mandant=self.mandant, user_id__in=self.acting_user_ids()
        )
        return qs.filter(role__in=roles) if roles else qs

    def unit_ids_with_role(self, *roles: str) -> QuerySet[OrganisationseinheitClosure, int]:
        """Ids of units where one of ``roles`` applies: the units held and all below them."""
        return OrganisationseinheitClosure.objects.filter(
            mandant=self.mandant, ancestor_id__in=self.memberships(*roles).values("unit_id")
        ).values_list("descendant_id", flat=True)

    def unit_ids(self) -> QuerySet[OrganisationseinheitClosure, int]:
        """Ids of units where the principal holds any unit-scoped role."""
        unit_roles = [role for role in Role.values if role not in MANDANT_WIDE_ROLES]
        return self.unit_ids_with_role(*unit_roles)

    def holds(self, *roles: str) -> Q:
        """A Q that is true for every row when an acting user holds one of ``roles`` anywhere."""
        return Q(Exists(self.memberships(*roles)))

    def allows(self, action: str) -> bool:
        """Whether the API key's scopes admit ``action`` (sessions admit everything)."""
        if self.scopes is None:
            return True
        if action == "view":
            return "read" in self.scopes or "write" in self.scopes
        return "write" in self.scopes
