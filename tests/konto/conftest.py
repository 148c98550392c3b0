"""Fixtures of the citizen-account tests: small proof of work, an empty cache, helpers that go
through the real pages (the challenge is read from the page and solved as the browser would)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from pytest_django.fixtures import Settings

from amtsfluss.core.models import Mandant
from amtsfluss.konto.models import Buerger
from amtsfluss.konto.services import buerger_create_confirmed, buerger_register
from amtsfluss.web.schutz import pow
from tests.schutz.conftest import Clock, clock, empty_cache  # noqa: F401 — fixtures

CITIZEN_PASSWORD = "Lindenallee-Frühling-2026"
DIFFICULTY = 6
#: links in the mails of accounts made by ``make_buerger`` (no test follows them)
UNUSED = "http://unused.invalid/"


@pytest.fixture(autouse=True)
def small_work(settings: Settings) -> None:
    settings.AMTSFLUSS_POW_DIFFICULTY = DIFFICULTY


def solved_fields(page: str) -> dict[str, str]:
    """The proof-of-work fields of a page, solved."""
    match = re.search(rf'name="{pow.CHALLENGE_FIELD}" value="([^"]+)"', page)
    assert match, "the page has no proof-of-work challenge"
    token = match[1]
    return {pow.CHALLENGE_FIELD: token, pow.NONCE_FIELD: pow.solve(token, DIFFICULTY)}


def post_with_pow(client: Client, url: str, data: dict[str, str]) -> object:
    page = client.get(url).content.decode()
    return client.post(url, {**data, **solved_fields(page)})


def make_buerger(mandant: Mandant, email: str, *, verified: bool = True) -> Buerger:
    """A confirmed account, or an unconfirmed one as the registration leaves it."""
    if verified:
        return buerger_create_confirmed(mandant=mandant, email=email, password=CITIZEN_PASSWORD)
    buerger_register(
        mandant=mandant,
        email=email,
        password=CITIZEN_PASSWORD,
        confirm_link=lambda token: f"{UNUSED}{token}",
        reset_link=lambda token: f"{UNUSED}{token}",
    )
    return Buerger.objects.get(mandant=mandant, email=email)


def signed_in(mandant_host: str, email: str, password: str = CITIZEN_PASSWORD) -> Client:
    client = Client(HTTP_HOST=mandant_host)
    response = client.post("/konto/anmelden/", {"email": email, "password": password})
    assert response.status_code == 302, response.content[:600]
    return client


def deliver_mail() -> None:
    """Run the queued mail tasks, as the worker does."""
    call_command("worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)


def links_in_mail(to: str) -> list[str]:
    deliver_mail()
    return [
        link
        for m in mail.outbox
        if to in m.to
        for link in re.findall(r"https?://\S+", m.body)
        if not link.startswith(UNUSED)
    ]
