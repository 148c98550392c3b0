"""Fixtures of the protection tests: an empty cache per test, a clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.cache import cache

from amtsfluss.web.schutz import pow, ratelimit


@pytest.fixture(autouse=True)
def empty_cache(db: None) -> Iterator[None]:
    """Counters and spent challenges live in the database cache table, which a transactional
    test's flush does not empty: every test starts and ends with an empty cache."""
    cache.clear()
    yield
    cache.clear()


@dataclass
class Clock:
    now: float = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Both modules read this clock; ``clock.advance(61)`` moves a minute on at once."""
    fake = Clock()
    monkeypatch.setattr(ratelimit, "clock", fake)
    monkeypatch.setattr(pow, "clock", fake)
    return fake
