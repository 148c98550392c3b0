"""Policies of the platform's own objects. Each module registers its own in the same way."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from amtsfluss.core.models import (
    ApiKey,
    AuditEvent,
    Membership,
    Organisationseinheit,
    Role,
    User,
    Vertretung,
)
from amtsfluss.core.permissions.engine import Action, register
from amtsfluss.core.permissions.principal import EVERYTHING, Principal

_NOTHING = Q(pk__in=[])


class _NotConfidential:
    def is_confidential(self, obj: Any) -> bool:
        return False


@register(Organisationseinheit)
class OrganisationseinheitPolicy(_NotConfidential):
    """The organisation chart is visible to all staff; Fachadministration maintains it."""

    def scope(self, principal: Principal, action: str) -> Q:
        if action == Action.VIEW:
            return EVERYTHING
        return principal.holds(Role.FACHADMINISTRATION)


@register(User)
class UserPolicy(_NotConfidential):
    """The staff directory is visible to all staff; Fachadministration maintains accounts."""

    def scope(self, principal: Principal, action: str) -> Q:
        if action == Action.VIEW:
            return EVERYTHING
        return principal.holds(Role.FACHADMINISTRATION)


@register(Membership)
class MembershipPolicy(_NotConfidential):
    """Own memberships; those in units one leads; all for Fachadministration and Datenschutz."""

    def scope(self, principal: Principal, action: str) -> Q:
        if action == Action.VIEW:
            return (
                Q(user_id__in=principal.acting_user_ids())
                | Q(unit_id__in=principal.unit_ids_with_role(Role.AMTSLEITUNG))
                | principal.holds(Role.FACHADMINISTRATION, Role.DATENSCHUTZ)
            )
        return principal.holds(Role.FACHADMINISTRATION)


@register(Vertretung)
class VertretungPolicy(_NotConfidential):
    """Seen by the two persons, the Amtsleitung over the represented person, Fachadmin, DSB.

    Created, changed or ended by the represented person, their Amtsleitung or Fachadmin.
    """

    def scope(self, principal: Principal, action: str) -> Q:
        led_members = Membership.objects.filter(
            mandant=principal.mandant,
            unit_id__in=principal.unit_ids_with_role(Role.AMTSLEITUNG),
        ).values("user_id")
        # "own" means the person themselves: a deputy does not re-arrange the absent
        # person's Vertretungen (that would pass their rights on)
        own_or_led = Q(vertretene_person_id=principal.user.pk) | Q(
            vertretene_person_id__in=led_members
        )
        if action == Action.VIEW:
            return (
                own_or_led
                | Q(vertretung_id=principal.user.pk)
                | principal.holds(Role.FACHADMINISTRATION, Role.DATENSCHUTZ)
            )
        return own_or_led | principal.holds(Role.FACHADMINISTRATION)


@register(AuditEvent)
class AuditEventPolicy(_NotConfidential):
    """The audit log is read by Datenschutz only, and written by nobody through this engine."""

    def scope(self, principal: Principal, action: str) -> Q:
        if action == Action.VIEW:
            return principal.holds(Role.DATENSCHUTZ)
        return _NOTHING


@register(ApiKey)
class ApiKeyPolicy(_NotConfidential):
    """Own keys are visible and revocable; Fachadministration manages all keys of the Mandant."""

    def scope(self, principal: Principal, action: str) -> Q:
        return Q(user_id=principal.user.pk) | principal.holds(Role.FACHADMINISTRATION)
