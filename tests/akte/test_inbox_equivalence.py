"""The inbox folds the Akte policy into its own condition; it must admit exactly what the
policy admits. Compared, for every demo user and every view, with ``permitted(Vorgang)``
narrowed to the view — on the demo Akten (confidential ones, grants, Vertretungen) plus scale
data, and again while one clerk deputises for another."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from amtsfluss.akte.models import Akte, Vertraulichkeit, Vorgang, VorgangStatus
from amtsfluss.akte.selectors.inbox import InboxView, inbox_counts, inbox_vorgaenge
from amtsfluss.core.demo import DEMO_SLUG
from amtsfluss.core.models import Mandant, User, Vertretung
from amtsfluss.core.permissions import Action, Principal, permitted

pytestmark = pytest.mark.django_db


def reference(principal: Principal, view: InboxView) -> set[int]:
    """The inbox as the policy defines it: visible Vorgänge, narrowed to the view."""
    mine = Q(bearbeiter_id__in=principal.acting_user_ids())
    unit = Q(bearbeiter__isnull=True, bearbeitende_oe_id__in=principal.unit_ids())
    condition = {InboxView.MINE: mine, InboxView.UNIT: unit, InboxView.ALL: mine | unit}[view]
    rows = permitted(Vorgang, principal=principal, action=Action.VIEW).filter(condition)
    return set(rows.exclude(status=VorgangStatus.ERLEDIGT).values_list("pk", flat=True))


def assert_equivalent(mandant: Mandant) -> int:
    compared = 0
    for user in User.objects.filter(mandant=mandant, is_active=True):
        principal = Principal.for_user(user)
        counts = inbox_counts(principal=principal)
        for view in InboxView:
            expected = reference(principal, view)
            got = set(inbox_vorgaenge(principal=principal, view=view).values_list("pk", flat=True))
            assert got == expected, (user.username, view)
            assert counts[view] == len(expected), (user.username, view)
            compared += len(expected)
    return compared


def test_inbox_admits_exactly_what_the_policy_admits() -> None:
    call_command("demo", stdout=io.StringIO())
    call_command("demo", "--scale", "400", stdout=io.StringIO())
    mandant = Mandant.objects.get(slug=DEMO_SLUG)
    # unassigned Vorgänge in confidential Akten: the case the inbox must check by name
    confidential = Akte.objects.filter(mandant=mandant).exclude(
        vertraulichkeit=Vertraulichkeit.OFFEN
    )
    assert confidential.exists()
    Vorgang.objects.filter(akte__in=confidential).update(bearbeiter=None)
    assert assert_equivalent(mandant) > 0

    # a Vertretung widens "mine" and the named persons of confidential Akten
    clerk = User.objects.get(username="sachbearbeitung", mandant=mandant)
    absent = (
        User.objects.filter(mandant=mandant, is_active=True).exclude(pk=clerk.pk).order_by("pk")
    )
    for other in absent[:3]:
        Vertretung.objects.create(
            mandant=mandant,
            vertretene_person=other,
            vertretung=clerk,
            valid_from=timezone.now() - timedelta(days=1),
            valid_until=timezone.now() + timedelta(days=1),
            created_by=clerk,
        )
    assert assert_equivalent(mandant) > 0
