"""The reader keys admit exactly what the Akte policy admits: for every user of random worlds,
the Dokumente a match-all search may return = ``permitted(Dokument, action=view)``."""

from __future__ import annotations

import io
import random
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from amtsfluss.akte.models import Akte, Beteiligung, Dokument, Vertraulichkeit, Vorgang
from amtsfluss.core.demo import DEMO_SLUG
from amtsfluss.core.models import Mandant, Organisationseinheit, User, Vertretung
from amtsfluss.core.permissions import Action, Principal, permitted
from amtsfluss.suche.indexing import process_pending, reindex
from amtsfluss.suche.selectors import MAX_PER_PAGE, search

pytestmark = pytest.mark.django_db


def searchable(principal: Principal) -> set[int]:
    seen: set[int] = set()
    page = 1
    while True:
        result = search(principal=principal, query="", page=page, per_page=MAX_PER_PAGE)
        seen |= {hit.dokument_id for hit in result.hits}
        if len(result.hits) < MAX_PER_PAGE:
            assert result.total == len(seen)
            return seen
        page += 1


def assert_equivalent(mandant: Mandant) -> int:
    compared = 0
    for user in User.objects.filter(mandant=mandant, is_active=True).order_by("pk"):
        principal = Principal.for_user(user)
        expected = set(
            permitted(Dokument, principal=principal, action=Action.VIEW).values_list(
                "pk", flat=True
            )
        )
        assert searchable(principal) == expected, user.username
        compared += len(expected)
    return compared


def mutate(mandant: Mandant, rng: random.Random) -> None:
    """Random changes through the ORM (the signals see them, as with the services)."""
    akten = list(Akte.objects.filter(mandant=mandant).order_by("pk"))
    units = list(Organisationseinheit.objects.filter(mandant=mandant))
    users = list(User.objects.filter(mandant=mandant, is_active=True))
    now = timezone.now()
    for akte in rng.sample(akten, 6):
        akte.vertraulichkeit = rng.choice(Vertraulichkeit.values)
        akte.save(update_fields=["vertraulichkeit"])
    for vorgang in Vorgang.objects.filter(akte__in=rng.sample(akten, 6)):
        vorgang.bearbeiter = rng.choice([None, *users])
        vorgang.bearbeitende_oe = rng.choice(units)
        vorgang.save()
    for akte in rng.sample(akten, 8):
        until = rng.choice([None, now - timedelta(hours=1), now + timedelta(hours=1)])
        to_unit = rng.random() < 0.5
        Beteiligung.objects.create(
            mandant=mandant,
            akte=akte,
            unit=rng.choice(units) if to_unit else None,
            user=None if to_unit else rng.choice(users),
            gueltig_bis=until,
            created_by=users[0],
        )
    for grant in rng.sample(list(Beteiligung.objects.filter(mandant=mandant)), 2):
        grant.delete()
    deputy, absent = rng.sample(users, 2)
    Vertretung.objects.create(
        mandant=mandant,
        vertretung=deputy,
        vertretene_person=absent,
        valid_from=now - timedelta(days=1),
        valid_until=now + timedelta(days=1),
        created_by=absent,
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_search_admits_exactly_what_the_policy_admits(backend: str, seed: int) -> None:
    call_command("demo", stdout=io.StringIO())
    call_command("demo", "--scale", "250", stdout=io.StringIO())
    mandant = Mandant.objects.get(slug=DEMO_SLUG)
    reindex(mandant)
    assert assert_equivalent(mandant) > 0
    rng = random.Random(seed)
    for _ in range(2):
        mutate(mandant, rng)
        process_pending(mandant)  # what the on-commit hook does after the transaction
        assert assert_equivalent(mandant) > 0
