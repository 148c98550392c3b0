"""Proof of work: a solved challenge counts once, for its scope and Mandant, until it expires;
without JavaScript the challenge counts after the documented wait."""

from __future__ import annotations

import pytest
from django.http import HttpRequest
from django.test import RequestFactory
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pytest_django.fixtures import Settings

from amtsfluss.core.models import Mandant
from amtsfluss.web.schutz import pow
from amtsfluss.web.schutz.pow import CHALLENGE_FIELD, NONCE_FIELD, Outcome
from tests.conftest import World
from tests.schutz.conftest import Clock

SCOPE = "dienste.antrag"


@pytest.fixture(autouse=True)
def small_work(settings: Settings) -> None:
    settings.AMTSFLUSS_POW_DIFFICULTY = 8
    settings.AMTSFLUSS_POW_TTL_SECONDS = 600
    settings.AMTSFLUSS_POW_NOJS_WAIT_SECONDS = 20


def _request(mandant: Mandant | None) -> HttpRequest:
    request = RequestFactory().post("/")
    request.mandant = mandant  # type: ignore[attr-defined]
    return request


def _solved(mandant: Mandant, scope: str = SCOPE) -> dict[str, str]:
    challenge = pow.challenge_for(_request(mandant), scope)
    return {CHALLENGE_FIELD: challenge.token, NONCE_FIELD: pow.solve(challenge.token, 8)}


def test_solved_challenge_is_accepted_once(world: World, clock: Clock) -> None:
    data = _solved(world.a)
    assert pow.check(_request(world.a), SCOPE, data).outcome is Outcome.SOLVED
    assert pow.check(_request(world.a), SCOPE, data).outcome is Outcome.SPENT
    # another nonce that also solves it does not make it new
    token = data[CHALLENGE_FIELD]
    other = next(
        str(n)
        for n in range(1, 100_000)
        if pow.solves(token, str(n), 8) and str(n) != data[NONCE_FIELD]
    )
    assert not pow.verify(_request(world.a), SCOPE, {**data, NONCE_FIELD: other})


def test_wrong_nonce_is_refused_and_does_not_spend(world: World, clock: Clock) -> None:
    data = _solved(world.a)
    token = data[CHALLENGE_FIELD]
    wrong = next(str(n) for n in range(100_000) if not pow.solves(token, str(n), 8))
    assert (
        pow.check(_request(world.a), SCOPE, {**data, NONCE_FIELD: wrong}).outcome is Outcome.WRONG
    )
    assert pow.verify(_request(world.a), SCOPE, data)


def test_expired_challenge_is_refused(world: World, clock: Clock) -> None:
    data = _solved(world.a)
    clock.advance(600)
    assert pow.check(_request(world.a), SCOPE, data).outcome is Outcome.EXPIRED


def test_other_scope_and_other_mandant_are_refused(world: World, clock: Clock) -> None:
    data = _solved(world.a, scope="konto.registrieren")
    assert pow.check(_request(world.a), SCOPE, data).outcome is Outcome.INVALID
    data = _solved(world.a)
    assert pow.check(_request(world.b), SCOPE, data).outcome is Outcome.INVALID
    assert pow.check(_request(None), SCOPE, data).outcome is Outcome.INVALID
    assert pow.verify(_request(world.a), SCOPE, data)  # still unspent for its own


@pytest.mark.parametrize(
    "token",
    [
        "",
        "x",
        "eyJzIjoiZGllbnN0ZS5hbnRyYWcifQ:forged",
        "a" * 5000,
        "\x00\ud800",
    ],
)
def test_forged_or_garbage_challenge_is_refused(world: World, clock: Clock, token: str) -> None:
    verdict = pow.check(_request(world.a), SCOPE, {CHALLENGE_FIELD: token, NONCE_FIELD: "1"})
    assert verdict.outcome in (Outcome.MISSING, Outcome.INVALID)
    assert not verdict.accepted


def test_tampered_payload_is_refused(world: World, clock: Clock) -> None:
    challenge = pow.challenge_for(_request(world.a), SCOPE, difficulty=8)
    signed_zero = pow.challenge_for(_request(world.a), SCOPE, difficulty=0).token
    payload, signature = challenge.token.rsplit(":", 1)
    easier = signed_zero.rsplit(":", 1)[0] + ":" + signature  # difficulty 0 with 8's signature
    assert (
        pow.check(_request(world.a), SCOPE, {CHALLENGE_FIELD: easier, NONCE_FIELD: "0"}).outcome
        is Outcome.INVALID
    )
    assert payload  # the genuine token still has its payload part


def test_overlong_nonce_is_refused(world: World, clock: Clock) -> None:
    data = _solved(world.a)
    verdict = pow.check(_request(world.a), SCOPE, {**data, NONCE_FIELD: "0" * 33})
    assert verdict.outcome is Outcome.WRONG


def test_without_javascript_the_challenge_counts_after_the_wait(world: World, clock: Clock) -> None:
    challenge = pow.challenge_for(_request(world.a), SCOPE)
    data = {CHALLENGE_FIELD: challenge.token, NONCE_FIELD: ""}
    early = pow.check(_request(world.a), SCOPE, data)
    assert early.outcome is Outcome.TOO_EARLY
    assert early.wait_seconds == 20
    assert "20" in pow.message(early)
    # the page is shown again with the same challenge, so the wait goes on
    again = pow.challenge_again(_request(world.a), SCOPE, data)
    assert again.token == challenge.token
    clock.advance(12)
    assert pow.check(_request(world.a), SCOPE, data).wait_seconds == 8
    clock.advance(8)
    assert pow.check(_request(world.a), SCOPE, data).outcome is Outcome.WAITED
    assert pow.check(_request(world.a), SCOPE, data).outcome is Outcome.SPENT
    # a spent challenge is not shown again
    assert pow.challenge_again(_request(world.a), SCOPE, data).token != challenge.token


def test_challenge_again_replaces_foreign_or_nearly_expired_challenges(
    world: World, clock: Clock
) -> None:
    foreign = pow.challenge_for(_request(world.b), SCOPE).token
    assert (
        pow.challenge_again(_request(world.a), SCOPE, {CHALLENGE_FIELD: foreign}).token != foreign
    )
    old = pow.challenge_for(_request(world.a), SCOPE).token
    clock.advance(590)  # too little time left for a no-JavaScript user's wait
    assert pow.challenge_again(_request(world.a), SCOPE, {CHALLENGE_FIELD: old}).token != old


def test_leading_zero_bits() -> None:
    assert pow.leading_zero_bits(b"\x00\x00\xff") == 16
    assert pow.leading_zero_bits(b"\x00\x01") == 15
    assert pow.leading_zero_bits(b"\x80") == 0
    assert pow.leading_zero_bits(b"\x00\x00") == 16


# the autouse fixtures (settings, empty cache) hold for every example: nothing is spent
@hypothesis_settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    token=st.text(max_size=300) | st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
    nonce=st.text(max_size=40),
)
def test_any_posted_data_is_refused_without_error(token: str, nonce: str) -> None:
    request = RequestFactory().post("/")
    request.mandant = None  # type: ignore[attr-defined]
    verdict = pow.check(request, SCOPE, {CHALLENGE_FIELD: token, NONCE_FIELD: nonce})
    assert not verdict.accepted
