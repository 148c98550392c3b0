"""The permission engine: one filtering query, unit subtrees, Vertretung, Mandant isolation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amtsfluss.core.models import AuditEvent, Membership, Role, Vertretung
from amtsfluss.core.permissions import Action, Principal, access, permitted
from tests.conftest import World


def principal(world_user, at=None):  # type: ignore[no-untyped-def]
    p = Principal.for_user(world_user)
    return p if at is None else Principal(user=p.user, mandant=p.mandant, at=at)


def test_unit_role_covers_subtree(world: World) -> None:
    head = principal(world.head)
    units = set(head.unit_ids_with_role(Role.AMTSLEITUNG))
    assert units == {world.units[c].pk for c in ("32", "32.1", "32.2")}


def test_clerk_role_does_not_reach_sibling_unit(world: World) -> None:
    units = set(principal(world.clerk).unit_ids())
    assert units == {world.units["32.1"].pk}


def test_permitted_is_a_single_query(world: World) -> None:
    head = principal(world.head)
    with CaptureQueriesContext(connection) as facts:
        head.unit_ids()  # the principal's own facts: acting persons, units per role
    assert len(facts) == 2
    with CaptureQueriesContext(connection) as queries:
        rows = list(permitted(Membership, principal=head, action=Action.VIEW))
        list(permitted(Vertretung, principal=head, action=Action.VIEW))
    assert len(queries) == 2  # one per permitted(), facts are not loaded again
    assert {m.user.username for m in rows} >= {"clerk", "other_clerk", "head"}


def test_clerk_sees_only_own_memberships(world: World) -> None:
    rows = permitted(Membership, principal=principal(world.clerk), action=Action.VIEW)
    assert {m.user_id for m in rows} == {world.clerk.pk}


def test_other_mandant_sees_nothing_even_with_same_role(world: World) -> None:
    rows = permitted(Membership, principal=principal(world.b_clerk), action=Action.VIEW)
    assert {m.mandant_id for m in rows} == {world.b.pk}


def test_access_other_mandant_object_is_404_and_audited(world: World) -> None:
    foreign = Membership.objects.get(user=world.clerk)
    with pytest.raises(Http404):
        access(Membership, principal=principal(world.b_clerk), action=Action.VIEW, pk=foreign.pk)
    event = AuditEvent.objects.filter(mandant=world.b).latest("seq")
    assert (event.action, event.outcome, event.object_id) == (
        "core.membership.view",
        "denied",
        str(foreign.pk),
    )


def _deputy(world: World, start: timedelta, end: timedelta) -> Vertretung:
    now = timezone.now()
    return Vertretung.objects.create(
        mandant=world.a,
        vertretene_person=world.other_clerk,
        vertretung=world.clerk,
        valid_from=now + start,
        valid_until=now + end,
        created_by=world.head,
    )


def test_vertretung_grants_rights_only_within_its_window(world: World) -> None:
    row = _deputy(world, timedelta(hours=1), timedelta(hours=3))
    unit_32_2 = world.units["32.2"].pk
    before = principal(world.clerk, at=row.valid_from - timedelta(seconds=1))
    during = principal(world.clerk, at=row.valid_from)
    last_moment = principal(world.clerk, at=row.valid_until - timedelta(microseconds=1))
    after = principal(world.clerk, at=row.valid_until)
    assert unit_32_2 not in set(before.unit_ids())
    assert unit_32_2 in set(during.unit_ids())
    assert unit_32_2 in set(last_moment.unit_ids())
    assert unit_32_2 not in set(after.unit_ids())


def test_vertretung_is_not_transitive(world: World) -> None:
    now = timezone.now()
    _deputy(world, timedelta(0), timedelta(hours=1))  # clerk deputises for other_clerk
    Vertretung.objects.create(
        mandant=world.a,
        vertretene_person=world.head,
        vertretung=world.other_clerk,
        valid_from=now,
        valid_until=now + timedelta(hours=1),
        created_by=world.head,
    )
    assert world.head.pk not in set(principal(world.clerk).acting_user_ids())


def test_expired_membership_gives_nothing(world: World) -> None:
    Membership.objects.filter(user=world.head).update(
        valid_until=timezone.now() - timedelta(minutes=1)
    )
    assert list(principal(world.head).unit_ids()) == []


def test_read_scope_key_cannot_change(world: World) -> None:
    p = Principal(user=world.admin, mandant=world.a, scopes=frozenset({"read"}))
    assert permitted(Membership, principal=p, action=Action.VIEW).exists()
    assert not permitted(Membership, principal=p, action=Action.CHANGE).exists()


def test_audit_log_readable_by_datenschutz_only(world: World) -> None:
    assert permitted(AuditEvent, principal=principal(world.dsb), action=Action.VIEW).exists()
    for user in (world.clerk, world.head, world.admin):
        assert not permitted(AuditEvent, principal=principal(user), action=Action.VIEW).exists()
