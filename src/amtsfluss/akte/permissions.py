"""Who may see and work on Akten — registered with the platform's permission engine.

Rules (docs/permissions.md, "E-Akte"):

* offen: the federführende OE (and units above it with a role there), units or persons working a
  Vorgang of the Akte, and valid Beteiligungen of a unit or person.
* vertraulich: only named persons — a person-Beteiligung, the Bearbeiter:in of one of its
  Vorgänge — and the Amtsleitung over the federführende OE.
* streng vertraulich: only named persons (no role reaches it).
* change needs a Beteiligung with ``darf_bearbeiten`` unless one works on the Akte by unit or
  assignment. Everything else (Vorgang, Dokument, Version, Wiedervorlage, Person) follows its Akte.

Every term is a subquery, so each ``permitted()`` stays one SQL query.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from amtsfluss.akte.models import (
    Akte,
    Aktenplanposition,
    Beteiligter,
    Beteiligung,
    Dokument,
    Dokumentversion,
    Person,
    Vertraulichkeit,
    Vorgang,
    Wiedervorlage,
)
from amtsfluss.core.models import Role
from amtsfluss.core.permissions import Action, Principal, register
from amtsfluss.core.permissions.principal import EVERYTHING


def _valid_grants(principal: Principal, action: str) -> QuerySet[Beteiligung]:
    grants = Beteiligung.objects.filter(mandant=principal.mandant).filter(
        Q(gueltig_bis__isnull=True) | Q(gueltig_bis__gt=principal.at)
    )
    if action != Action.VIEW:
        grants = grants.filter(darf_bearbeiten=True)
    return grants


def akte_scope(principal: Principal, action: str) -> Q:
    """The Q over ``Akte`` that admits exactly the Akten ``principal`` may ``action`` on."""
    return principal.scope_memo("akte", action, lambda: _akte_scope(principal, action))


def _akte_scope(principal: Principal, action: str) -> Q:
    """The rules of the module doc, each subquery written once.

    Named persons (a person grant, the Bearbeiter:in of one of its Vorgänge) reach an Akte of
    every confidentiality level, so they are not repeated per level: "offen and (lead unit or
    a Vorgang of my unit or a unit grant), or named, or vertraulich and Amtsleitung over the
    lead unit" is the rule list above with four subqueries instead of seven — each one costs
    ORM work in every statement the scope is part of.
    """
    units = principal.unit_ids()
    grants = _valid_grants(principal, action)
    unit_grant = Q(pk__in=grants.filter(unit_id__in=units).values("akte_id"))
    working_unit = Q(
        pk__in=Vorgang.objects.filter(
            mandant=principal.mandant, bearbeitende_oe_id__in=units
        ).values("akte_id")
    )
    offen = Q(vertraulichkeit=Vertraulichkeit.OFFEN) & (
        Q(federfuehrende_oe_id__in=units) | working_unit | unit_grant
    )
    return offen | _named_or_leading(principal, grants)


def _assigned_akten(principal: Principal) -> Q:
    return Q(
        pk__in=Vorgang.objects.filter(
            mandant=principal.mandant, bearbeiter_id__in=principal.acting_user_ids()
        ).values("akte_id")
    )


def _named_or_leading(principal: Principal, grants: QuerySet[Beteiligung]) -> Q:
    """What reaches an Akte whatever its confidentiality: being named in it (a person grant,
    a Vorgang assigned to me), and for vertraulich the Amtsleitung over the lead unit."""
    person_grant = Q(
        pk__in=grants.filter(user_id__in=principal.acting_user_ids()).values("akte_id")
    )
    leading = Q(vertraulichkeit=Vertraulichkeit.VERTRAULICH) & Q(
        federfuehrende_oe_id__in=principal.unit_ids_with_role(Role.AMTSLEITUNG)
    )
    return person_grant | _assigned_akten(principal) | leading


def hidden_confidential_akte_ids(principal: Principal, action: str) -> QuerySet[Akte, int]:
    """The confidential Akten ``principal`` may *not* reach — a small set, as few are confidential.

    ``akte_scope`` admits an offen Akte through a Vorgang of one's unit; a vertraulich or streng
    vertraulich one only if it names the person. So "a Vorgang of my unit, and its Akte not in
    this set" is exactly "a Vorgang of my unit whose Akte I may see".
    """
    scope = _named_or_leading(principal, _valid_grants(principal, action))
    return (
        Akte.objects.filter(mandant=principal.mandant)
        .exclude(vertraulichkeit=Vertraulichkeit.OFFEN)
        .exclude(scope)
        .values_list("pk", flat=True)
    )


def permitted_akte_ids(principal: Principal, action: str) -> QuerySet[Akte, int]:
    return (
        Akte.objects.filter(mandant=principal.mandant)
        .filter(akte_scope(principal, action))
        .values_list("pk", flat=True)
    )


def _akte_permits(principal: Principal, action: str, akte: str | Q) -> Exists:
    """Whether the Akte of the outer row (``akte``: its field, or a Q naming it) is permitted —
    checked for that one Akte (a correlated ``EXISTS``), not by listing every permitted Akte.

    With an ``IN (permitted Akten)`` the database materialises the whole permitted set for each
    statement, even when the outer query has three rows; at a million Dokumente that cost
    ~100 ms per statement on SQLite. The scope's own id lists (a unit's Vorgänge, grants) are
    still computed once per statement.
    """
    which = Q(pk=OuterRef(akte)) if isinstance(akte, str) else akte
    return Exists(
        Akte.objects.filter(which, mandant=principal.mandant).filter(akte_scope(principal, action))
    )


@register(Akte)
class AktePolicy:
    def scope(self, principal: Principal, action: str) -> Q:
        return akte_scope(principal, action)

    def is_confidential(self, obj: Any) -> bool:
        return bool(obj.is_confidential)


class FollowsAkte:
    """Policy of a model that is visible exactly when its Akte is."""

    akte_path = "akte"
    confidential_path = "akte"

    def scope(self, principal: Principal, action: str) -> Q:
        return Q(_akte_permits(principal, action, f"{self.akte_path}_id"))

    def is_confidential(self, obj: Any) -> bool:
        akte = obj
        for part in self.confidential_path.split("__"):
            akte = getattr(akte, part)
        return bool(akte.is_confidential)


@register(Vorgang)
class VorgangPolicy(FollowsAkte):
    pass


@register(Dokument)
class DokumentPolicy(FollowsAkte):
    akte_path = "vorgang__akte"
    confidential_path = "vorgang__akte"


@register(Dokumentversion)
class DokumentversionPolicy(FollowsAkte):
    akte_path = "dokument__vorgang__akte"
    confidential_path = "dokument__vorgang__akte"


@register(Beteiligung)
class BeteiligungPolicy(FollowsAkte):
    pass


@register(Beteiligter)
class BeteiligterPolicy(FollowsAkte):
    pass


@register(Wiedervorlage)
class WiedervorlagePolicy:
    """A Wiedervorlage is seen with its Vorgang or Akte (its addressee needs that access too)."""

    def scope(self, principal: Principal, action: str) -> Q:
        own_akte = Q(pk=OuterRef("akte_id")) | Q(pk=OuterRef("vorgang__akte_id"))
        return Q(_akte_permits(principal, action, own_akte))

    def is_confidential(self, obj: Any) -> bool:
        akte = obj.akte if obj.akte_id else obj.vorgang.akte
        return bool(akte.is_confidential)


@register(Person)
class PersonPolicy:
    """A person is seen by whoever sees an Akte in which they take part; Datenschutz sees all."""

    def scope(self, principal: Principal, action: str) -> Q:
        linked = Beteiligter.objects.filter(
            akte_id__in=permitted_akte_ids(principal, action)
        ).values("person_id")
        return Q(pk__in=linked) | principal.holds(Role.DATENSCHUTZ)

    def is_confidential(self, obj: Any) -> bool:
        return False


@register(Aktenplanposition)
class AktenplanpositionPolicy:
    """The Aktenplan is visible to all staff; Registratur and Fachadministration keep it."""

    def scope(self, principal: Principal, action: str) -> Q:
        if action == Action.VIEW:
            return EVERYTHING
        return principal.holds(Role.REGISTRATUR, Role.FACHADMINISTRATION)

    def is_confidential(self, obj: Any) -> bool:
        return False
