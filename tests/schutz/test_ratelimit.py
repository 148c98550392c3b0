"""Rate limits: parsing, the sliding window, per scope and client address, the 429 page."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from amtsfluss.core import context
from amtsfluss.web.schutz.ratelimit import (
    Rate,
    RateLimited,
    blocked_for,
    hit,
    limit,
    ratelimited,
)
from tests.conftest import World
from tests.schutz.conftest import Clock


@pytest.mark.parametrize(
    ("text", "count", "seconds"),
    [("10/m", 10, 60), ("100/h", 100, 3600), ("5/15m", 5, 900), ("3/s", 3, 1), ("1/d", 1, 86400)],
)
def test_rates_parse(text: str, count: int, seconds: int) -> None:
    assert Rate.parse(text) == Rate(count=count, seconds=seconds)


@pytest.mark.parametrize("text", ["", "10", "0/m", "10/x", "-1/m", "10/0m", "ten/m", "10/m/h"])
def test_malformed_rates_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a rate"):
        Rate.parse(text)


def _request_from(address: str) -> HttpRequest:
    return RequestFactory().post("/", REMOTE_ADDR=address)


def _limit_from(address: str, scope: str, rate: str) -> None:
    with context.use(context.RequestContext(client_address=address, channel="web")):
        limit(_request_from(address), scope, rate)


def test_limit_counts_per_scope_and_address(clock: Clock) -> None:
    for _ in range(3):
        _limit_from("192.0.2.1", "formular", "3/m")
    with pytest.raises(RateLimited) as caught:
        _limit_from("192.0.2.1", "formular", "3/m")
    assert caught.value.scope == "formular"
    assert 1 <= caught.value.retry_after <= 60
    # another address and another scope have counters of their own
    _limit_from("192.0.2.2", "formular", "3/m")
    _limit_from("192.0.2.1", "anderes", "3/m")


def test_window_slides(clock: Clock) -> None:
    for _ in range(4):
        hit("k", "4/m")
    assert blocked_for("k", "4/m") > 0
    clock.advance(60)  # the next window starts; the previous one still weighs fully
    with pytest.raises(RateLimited):
        hit("k", "4/m")
    clock.advance(30)  # half of the previous window has slid out: 2 requests fit
    hit("k", "4/m")
    hit("k", "4/m")
    with pytest.raises(RateLimited):
        hit("k", "4/m")
    clock.advance(120)
    assert blocked_for("k", "4/m") == 0
    for _ in range(4):
        hit("k", "4/m")


def test_retry_after_lets_the_next_request_in(clock: Clock) -> None:
    for _ in range(5):
        hit("k", "5/m")
    clock.advance(75)
    with pytest.raises(RateLimited) as caught:
        for _ in range(5):
            hit("k", "5/m")
    clock.advance(caught.value.retry_after)
    hit("k", "5/m")


def test_refused_requests_are_not_counted(clock: Clock) -> None:
    hit("k", "1/m")
    for _ in range(50):
        with pytest.raises(RateLimited):
            hit("k", "1/m")
    clock.advance(120)
    hit("k", "1/m")


def test_decorator_answers_429_with_retry_after(
    world: World, clock: Clock, rf: RequestFactory
) -> None:
    calls: list[str] = []

    @ratelimited("test.view", "2/h")
    def view(request: HttpRequest) -> HttpResponse:
        calls.append(request.method or "")
        return HttpResponse("ok")

    def call(method: str) -> HttpResponse:
        request = rf.generic(method, "/", HTTP_HOST="a.test")
        request.mandant = world.a  # type: ignore[attr-defined]
        with context.use(context.RequestContext(client_address="198.51.100.7", channel="web")):
            return view(request)

    assert call("POST").status_code == 200
    assert call("POST").status_code == 200
    for _ in range(3):
        assert call("GET").status_code == 200  # only POST is counted
    refused = call("POST")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert "Zu viele Anfragen" in refused.content.decode()
    assert calls == ["POST", "POST", "GET", "GET", "GET"]


def test_decorator_refuses_a_malformed_rate_at_once() -> None:
    with pytest.raises(ValueError, match="not a rate"):
        ratelimited("x", "viele")
