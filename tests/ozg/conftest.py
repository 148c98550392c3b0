"""Fixtures of the OZG end-to-end test: the demo municipality as ``make run`` loads it, browser
windows for the staff, the worker, and a CAMT.053 statement for one Kassenzeichen."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from string import Template

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from amtsfluss.core.demo import DEMO_PASSWORD, DEMO_SLUG
from amtsfluss.core.models import Mandant
from amtsfluss.kasse.models import Empfaenger
from tests.browser import new_context, sign_in
from tests.schutz.conftest import empty_cache  # noqa: F401 — autouse: no rate count or spent challenge of an earlier test

DATA = Path(__file__).parent / "data"


@pytest.fixture
def musterstadt(live_server: LiveServer) -> Mandant:
    """The demo Mandant made by the same two commands as ``make run``: ``amtsfluss demo
    --if-empty`` (host names 127.0.0.1 and localhost: the live server's) and ``amtsfluss siegel
    demo --mandant musterstadt`` (the seal in the test process's data directory)."""
    call_command("demo", "--if-empty", stdout=io.StringIO())
    call_command("siegel", "demo", "--mandant", DEMO_SLUG, stdout=io.StringIO())
    return Mandant.objects.get(slug=DEMO_SLUG)


@pytest.fixture
def staff_window(browser: Browser, live_server: LiveServer) -> Iterator[Callable[[str], Page]]:
    """``staff_window("standesamt")``: a browser window of its own (own cookies) in which the
    demo user signed in through the login form with the demo password."""
    contexts = []

    def open_as(username: str) -> Page:
        context = new_context(browser, live_server)
        contexts.append(context)
        window = context.new_page()
        sign_in(window, username, DEMO_PASSWORD)
        assert "/anmelden/" not in window.url, f"{username} could not sign in"
        return window

    yield open_as
    for context in contexts:
        context.close()


def run_worker() -> None:
    """What the worker of ``make run`` does in the background: mails queued on commit, the
    Posteingang pipeline of uploaded files."""
    call_command("worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)


def camt053(*, mandant: Mandant, kassenzeichen: str, betrag: Decimal, zweck: str) -> bytes:
    """A bank statement of the Mandant's receiving account with one credit of ``betrag`` whose
    remittance text carries ``kassenzeichen``."""
    text = (DATA / "camt053_zahlung.xml").read_text(encoding="utf-8")
    iban = Empfaenger.objects.get(mandant=mandant).iban
    return (
        Template(text)
        .substitute(IBAN=iban, KZ=kassenzeichen, BETRAG=f"{betrag:.2f}", ZWECK=zweck)
        .encode()
    )
