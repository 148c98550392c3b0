"""Aktenzeichen: pattern rules, sequence per scope, never reused, safe under concurrency."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from amtsfluss.akte.aktenzeichen import AktenzeichenTeile, counter_scope, render, validate_pattern
from amtsfluss.akte.models import FruehereAktenzeichen, Laufnummer
from amtsfluss.akte.services.akte import akte_refile, check_akte_create
from amtsfluss.core.errors import ServiceError
from tests.akte.conftest import AkteWorld, as_

TEILE = AktenzeichenTeile(oe="32", kennzeichen="10.38.50", jahr=2026)


def test_default_pattern_renders_like_the_issue_example() -> None:
    assert render("{oe}-{kennzeichen}/{nr:04}/{jahr}", TEILE, 42) == "32-10.38.50/0042/2026"


@pytest.mark.parametrize(
    "pattern",
    [
        "{oe}-{kennzeichen}",
        "{oe.__class__}-{nr}",
        "{nr!r}",
        "{nr:>10}",
        "{jahr:04}-{nr}",
        "{x}{nr}",
        "{nr",
    ],
)
def test_bad_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(ServiceError):
        validate_pattern(pattern)


@given(
    literal=st.text(alphabet="-/ .ABCabc0123456789", max_size=6),
    numbers=st.lists(
        st.integers(min_value=1, max_value=99999), min_size=2, max_size=5, unique=True
    ),
)
def test_distinct_numbers_give_distinct_aktenzeichen(literal: str, numbers: list[int]) -> None:
    pattern = validate_pattern(f"{{oe}}{literal}{{kennzeichen}}{literal}{{nr:04}}{literal}{{jahr}}")
    rendered = {render(pattern, TEILE, nr) for nr in numbers}
    assert len(rendered) == len(numbers)
    scope = counter_scope(pattern, TEILE)
    assert scope.count("#") == 1
    assert all(render(pattern, TEILE, nr) != scope for nr in numbers)


def test_numbers_count_per_scope(akten: AkteWorld) -> None:
    year = timezone.localdate().year
    assert akten.offen_32_1.aktenzeichen == f"32.1-10.38.50/0001/{year}"
    assert akten.vertr_32_1.aktenzeichen == f"32.1-10.38.50/0002/{year}"
    assert akten.offen_32_2.aktenzeichen == f"32.2-10.38.60/0001/{year}"


def test_refiled_aktenzeichen_is_never_issued_again(akten: AkteWorld) -> None:
    w = akten.w
    year = timezone.localdate().year
    old = akten.offen_32_1.aktenzeichen
    refiled = akte_refile(
        principal=as_(w.clerk), akte=akten.offen_32_1, position=akten.positions["10.38.60"]
    )
    assert FruehereAktenzeichen.objects.filter(akte=refiled, aktenzeichen=old).exists()
    assert refiled.aktenzeichen == f"32.1-10.38.60/0001/{year}"
    assert refiled.position.kennzeichen == "10.38.60"
    # even if an operator resets the counter, no Aktenzeichen — current or former — repeats
    Laufnummer.objects.filter(mandant=w.a).update(letzte=0)
    fresh = check_akte_create(
        principal=as_(w.clerk), position=akten.positions["10.38.50"], titel="neu",
        federfuehrende_oe=w.units["32.1"],
    )  # fmt: skip
    assert fresh.aktenzeichen == f"32.1-10.38.50/0004/{year}"


def test_refile_to_non_leaf_is_refused_and_changes_nothing(akten: AkteWorld) -> None:
    before = akten.offen_32_1.aktenzeichen
    with pytest.raises(ServiceError, match="lowest level"):
        akte_refile(
            principal=as_(akten.w.clerk), akte=akten.offen_32_1, position=akten.positions["10.38"]
        )
    akten.offen_32_1.refresh_from_db()
    assert akten.offen_32_1.aktenzeichen == before
    assert not FruehereAktenzeichen.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_parallel_creation_issues_distinct_consecutive_numbers(akten: AkteWorld) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row-lock concurrency is proven on PostgreSQL; SQLite serialises writers")
    w, position, unit = akten.w, akten.positions["10.38.60"], akten.w.units["32.2"]
    results: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def create() -> None:
        try:
            barrier.wait()
            akte = check_akte_create(
                principal=as_(w.other_clerk), position=position, titel="parallel",
                federfuehrende_oe=unit,
            )  # fmt: skip
            results.append(akte.aktenzeichen)
        except BaseException as exc:  # collected and re-raised in the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    numbers = sorted(int(az.split("/")[1]) for az in results)
    assert numbers == list(range(2, 10))  # 0001 is the fixture's Akte
