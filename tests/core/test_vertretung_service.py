"""Arranging a Vertretung: who may, what is refused, and that it is audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from amtsfluss.core.errors import PermissionDenied, ServiceError
from amtsfluss.core.models import AuditEvent, User
from amtsfluss.core.permissions import Principal
from amtsfluss.core.services.vertretung import check_vertretung_create, vertretung_end
from tests.conftest import World

pytestmark = pytest.mark.usefixtures("english")


def arrange(by: User, absent: User, deputy: User, hours: int = 2):  # type: ignore[no-untyped-def]
    now = timezone.now()
    return check_vertretung_create(
        principal=Principal.for_user(by),
        vertretene_person=absent,
        vertretung=deputy,
        valid_from=now,
        valid_until=now + timedelta(hours=hours),
        reason="Urlaub",
    )


@pytest.mark.parametrize("arranger", ["other_clerk", "head", "admin"])
def test_allowed_arrangers(world: World, arranger: str) -> None:
    row = arrange(getattr(world, arranger), world.other_clerk, world.clerk)
    assert row.vertretung == world.clerk
    event = AuditEvent.objects.filter(mandant=world.a, action="vertretung.create").get()
    assert event.actor_id == getattr(world, arranger).pk


@pytest.mark.parametrize("arranger", ["clerk", "dsb"])
def test_others_may_not_arrange(world: World, arranger: str) -> None:
    with pytest.raises(PermissionDenied):
        arrange(getattr(world, arranger), world.other_clerk, world.clerk)


def test_other_mandant_person_is_refused(world: World) -> None:
    with pytest.raises(ServiceError):
        arrange(world.head, world.other_clerk, world.b_clerk)


def test_deputy_may_not_pass_on_the_rights(world: World) -> None:
    arrange(world.other_clerk, world.other_clerk, world.clerk)
    # clerk now acts for other_clerk, but may not hand other_clerk's rights to a third person
    with pytest.raises(PermissionDenied):
        arrange(world.clerk, world.other_clerk, world.head)
    with pytest.raises(PermissionDenied):
        arrange(world.clerk, world.head, world.other_clerk)


def test_empty_or_inverted_window_is_refused(world: World) -> None:
    now = timezone.now()
    with pytest.raises(ServiceError):
        check_vertretung_create(
            principal=Principal.for_user(world.head),
            vertretene_person=world.clerk,
            vertretung=world.other_clerk,
            valid_from=now,
            valid_until=now,
        )


def test_read_only_key_may_not_arrange(world: World) -> None:
    now = timezone.now()
    with pytest.raises(PermissionDenied):
        check_vertretung_create(
            principal=Principal(user=world.head, mandant=world.a, scopes=frozenset({"read"})),
            vertretene_person=world.clerk,
            vertretung=world.other_clerk,
            valid_from=now,
            valid_until=now + timedelta(hours=1),
        )


def test_end_stops_the_rights_now(world: World) -> None:
    row = arrange(world.head, world.other_clerk, world.clerk, hours=8)
    assert world.units["32.2"].pk in set(Principal.for_user(world.clerk).unit_ids())
    vertretung_end(principal=Principal.for_user(world.head), vertretung=row)
    assert world.units["32.2"].pk not in set(Principal.for_user(world.clerk).unit_ids())


def test_ending_a_future_vertretung_cancels_it(world: World) -> None:
    now = timezone.now()
    row = check_vertretung_create(
        principal=Principal.for_user(world.head),
        vertretene_person=world.other_clerk,
        vertretung=world.clerk,
        valid_from=now + timedelta(days=3),
        valid_until=now + timedelta(days=5),
    )
    assert vertretung_end(principal=Principal.for_user(world.head), vertretung=row) is None
    assert not type(row).objects.filter(pk=row.pk).exists()
    assert AuditEvent.objects.filter(mandant=world.a, action="vertretung.cancel").exists()
