"""A solved challenge sent several times at once is accepted exactly once (the spent mark is an
atomic insert into the shared cache), on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from amtsfluss.web.schutz import pow
from tests.concurrency import race
from tests.conftest import World

PARALLEL = 6


@pytest.mark.django_db(transaction=True)
def test_parallel_submissions_of_one_solution_count_once(world: World) -> None:
    request = RequestFactory().post("/")
    request.mandant = world.a  # type: ignore[attr-defined]
    challenge = pow.challenge_for(request, "dienste.antrag", difficulty=8)
    data = {pow.CHALLENGE_FIELD: challenge.token, pow.NONCE_FIELD: pow.solve(challenge.token, 8)}
    outcomes, lost = race(*[lambda: pow.check(request, "dienste.antrag", data).outcome] * PARALLEL)
    assert lost == []
    assert sorted(map(str, outcomes)) == sorted(
        [pow.Outcome.SOLVED] + [pow.Outcome.SPENT] * (PARALLEL - 1)
    )
