"""``search_scope()``: the principal's reader keys and the hidden Akten in one query — the same
as the principal's facts read through the ORM, at any moment, and current at every search."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amtsfluss.akte.models import Akte, Beteiligung
from amtsfluss.akte.services.akte import beteiligung_grant, beteiligung_revoke
from amtsfluss.core.models import Membership, Organisationseinheit, Role, User, Vertretung
from amtsfluss.core.permissions import Principal
from amtsfluss.core.services.organisation import membership_grant, membership_revoke
from amtsfluss.core.services.users import staff_user_create
from amtsfluss.core.services.vertretung import do_vertretung_create, vertretung_end
from amtsfluss.suche.keys import SearchScope, search_scope
from amtsfluss.suche.models import Indexauftrag
from amtsfluss.suche.selectors import search
from tests.akte.conftest import AkteWorld
from tests.suche.conftest import Corpus

pytestmark = pytest.mark.django_db
Capture = Callable[..., Any]


def reference_scope(principal: Principal) -> SearchScope:
    """The scope as the principal's own (ORM) facts give it — what search() read before."""
    units = principal.unit_ids()
    acting = principal.acting_user_ids()
    grants = (
        Beteiligung.objects.filter(mandant=principal.mandant)
        .filter(Q(gueltig_bis__isnull=True) | Q(gueltig_bis__gt=principal.at))
        .filter(Q(user_id__in=acting) | Q(unit_id__in=units))
        .values_list("pk", flat=True)
    )
    keys = (
        [f"oe:{pk}" for pk in units]
        + [f"user:{pk}" for pk in acting]
        + [f"lead:{pk}" for pk in principal.unit_ids_with_role(Role.AMTSLEITUNG)]
        + [f"grant:{pk}" for pk in grants]
    )
    hidden = Indexauftrag.objects.filter(mandant_id=principal.mandant.pk)
    return SearchScope(
        keys=frozenset(keys),
        hidden_akten=tuple(sorted(set(hidden.values_list("akte_id", flat=True)))),
    )


def _window(rng: random.Random, now: datetime) -> tuple[datetime | None, datetime | None]:
    """No bound, a past, a current or a future window (each end optional)."""
    hour = timedelta(hours=1)
    return rng.choice(
        [
            (None, None),
            (now - 3 * hour, now - hour),  # over
            (now - hour, now + hour),  # now
            (None, now + hour),
            (now - hour, None),
            (now + hour, now + 3 * hour),  # not yet
        ]
    )


def _randomise(akten: AkteWorld, rng: random.Random) -> None:
    """Memberships, Vertretungen, Beteiligungen and journal rows of every kind of validity."""
    w = akten.w
    now = timezone.now()
    units = list(Organisationseinheit.objects.filter(mandant=w.a))
    people = [
        staff_user_create(mandant=w.a, username=f"p{n}", password=None, by=None) for n in range(6)
    ]
    people[0].is_active = False
    people[0].save(update_fields=["is_active"])
    staff = [w.clerk, w.other_clerk, w.head, w.dsb, w.admin, *people]
    for person in people:
        for unit in rng.sample(units, 2):
            valid_from, valid_until = _window(rng, now)
            Membership.objects.create(
                mandant=w.a,
                user=person,
                unit=unit,
                role=rng.choice(Role.values),
                valid_from=valid_from,
                valid_until=valid_until,
            )
    for _ in range(8):
        deputy, absent = rng.sample(staff, 2)
        start, end = _window(rng, now)
        Vertretung.objects.create(
            mandant=w.a,
            vertretung=deputy,
            vertretene_person=absent,
            valid_from=start or now - timedelta(days=1),
            valid_until=end or now + timedelta(days=1),
            created_by=w.admin,
        )
    for akte in Akte.objects.filter(mandant=w.a):
        for _ in range(2):
            to_unit = rng.random() < 0.5
            Beteiligung.objects.create(
                mandant=w.a,
                akte=akte,
                unit=rng.choice(units) if to_unit else None,
                user=None if to_unit else rng.choice(staff),
                gueltig_bis=rng.choice([None, now - timedelta(hours=1), now + timedelta(hours=1)]),
                created_by=w.admin,
            )
    Indexauftrag.objects.all().delete()  # the grants' journal rows (no commit ran here)
    Indexauftrag.objects.create(mandant_id=w.a.pk, akte_id=akten.vertr_32_1.pk)
    Indexauftrag.objects.create(mandant_id=w.b.pk, akte_id=10**9)  # another Mandant's


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_one_query_gives_what_the_principals_facts_give(akten: AkteWorld, seed: int) -> None:
    _randomise(akten, random.Random(seed))
    now = timezone.now()
    compared = 0
    for user in User.objects.filter(mandant=akten.w.a).order_by("pk"):
        for at in (now, now - timedelta(hours=2), now + timedelta(hours=2)):
            principal = Principal(user=user, mandant=akten.w.a, at=at)
            with CaptureQueriesContext(connection) as queries:
                scope = search_scope(principal)
            assert len(queries.captured_queries) == 1
            assert scope == reference_scope(Principal(user=user, mandant=akten.w.a, at=at))
            compared += len(scope.keys)
    assert compared > 100
    assert search_scope(Principal.for_user(akten.w.clerk)).hidden_akten == (akten.vertr_32_1.pk,)


def _found(user: User, query: str) -> set[int]:
    return {hit.dokument_id for hit in search(principal=Principal.for_user(user), query=query).hits}


def test_a_revoked_membership_counts_from_the_next_search(corpus: Corpus) -> None:
    w = corpus.akten.w
    membership_grant(user=w.other_clerk, unit=w.units["32.1"], role=Role.SACHBEARBEITUNG, by=None)
    assert corpus.bauantrag.pk in _found(w.other_clerk, "Bauantrag")
    membership = Membership.objects.get(user=w.other_clerk, unit=w.units["32.1"])
    membership_revoke(membership=membership, by=None)
    assert corpus.bauantrag.pk not in _found(w.other_clerk, "Bauantrag")
    assert corpus.verkehr.pk in _found(w.other_clerk, "Verkehrsbehörde")  # 32.2 stays


def test_an_ended_vertretung_counts_from_the_next_search(corpus: Corpus) -> None:
    w = corpus.akten.w
    now = timezone.now()
    assert corpus.bauantrag.pk not in _found(w.other_clerk, "Bauantrag")
    vertretung = do_vertretung_create(
        principal=Principal.for_user(w.clerk),
        vertretene_person=w.clerk,
        vertretung=w.other_clerk,
        valid_from=now - timedelta(minutes=1),
        valid_until=now + timedelta(days=1),
        reason="",
    )
    assert corpus.bauantrag.pk in _found(w.other_clerk, "Bauantrag")
    vertretung_end(principal=Principal.for_user(w.clerk), vertretung=vertretung)
    assert corpus.bauantrag.pk not in _found(w.other_clerk, "Bauantrag")


def test_a_revoked_beteiligung_counts_from_the_next_search(
    corpus: Corpus, django_capture_on_commit_callbacks: Capture
) -> None:
    w = corpus.akten.w
    with django_capture_on_commit_callbacks(execute=True):
        grant = beteiligung_grant(
            principal=Principal.for_user(w.clerk), akte=corpus.akten.offen_32_1, user=w.other_clerk
        )
    assert corpus.bauantrag.pk in _found(w.other_clerk, "Bauantrag")
    with django_capture_on_commit_callbacks(execute=True):
        beteiligung_revoke(principal=Principal.for_user(w.clerk), beteiligung=grant)
    assert corpus.bauantrag.pk not in _found(w.other_clerk, "Bauantrag")
