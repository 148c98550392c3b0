"""Kasse fixtures on top of ``world`` and ``akten``: a Stadtkasse unit 20.2 with a Kasse member
in Mandant A (and one in B), receiving accounts for both Mandanten, and Vorgänge of units 32.1
and 32.2 to levy fees on.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.conf import Settings
from django.core.cache import cache

from amtsfluss.akte.models import Vorgang
from amtsfluss.akte.services.vorgang import vorgang_create
from amtsfluss.core.models import Role, User
from amtsfluss.core.permissions import Principal
from amtsfluss.core.services.organisation import unit_create
from amtsfluss.kasse.demo import DEMO_BIC, DEMO_IBAN
from amtsfluss.kasse.models import Forderung
from amtsfluss.kasse.services.empfaenger import empfaenger_set
from amtsfluss.kasse.services.forderung import forderung_create
from amtsfluss.kasse.simulator import SimulatorState, make_server
from tests.akte.conftest import AkteWorld, akten  # noqa: F401 (fixture)
from tests.conftest import World, make_user

B_IBAN = "DE02120300000000202051"


@dataclass
class KasseWorld:
    w: World
    kasse: User
    b_kasse: User
    vorgang_32_1: Vorgang
    vorgang_32_2: Vorgang

    def forderung(
        self, betrag: str = "12.00", vorgang: Vorgang | None = None, zweck: str = "Gebühr"
    ) -> tuple[Forderung, str]:
        return forderung_create(
            mandant=self.w.a, betrag=Decimal(betrag), zweck=zweck, vorgang=vorgang
        )


@pytest.fixture
def kw(world: World, akten: AkteWorld) -> KasseWorld:  # noqa: F811 (fixture)
    cache.clear()  # rate-limit counters live in the shared cache, outside the test transaction
    kasse_unit = unit_create(
        mandant=world.a, code="20.2", name="Stadtkasse", kind="abteilung", by=None
    )
    b_unit = unit_create(mandant=world.b, code="20", name="Kasse B", kind="fachbereich", by=None)
    empfaenger_set(mandant=world.a, name="Stadtkasse A", iban=DEMO_IBAN, bic=DEMO_BIC, praefix="KZ")
    empfaenger_set(mandant=world.b, name="Gemeindekasse B", iban=B_IBAN, praefix="KZ")
    clerk = Principal.for_user(world.clerk)
    other = Principal.for_user(world.other_clerk)
    return KasseWorld(
        w=world,
        kasse=make_user(world.a, "kasse", kasse_unit, Role.KASSE),
        b_kasse=make_user(world.b, "b_kasse", b_unit, Role.KASSE),
        vorgang_32_1=vorgang_create(principal=clerk, akte=akten.offen_32_1, betreff="Antrag 1"),
        vorgang_32_2=vorgang_create(principal=other, akte=akten.offen_32_2, betreff="Antrag 2"),
    )


#: generous: the machine is shared; no test asserts a duration
TIMEOUT = 120
SECRET = "test-secret-not-for-production"


@dataclass
class Sim:
    url: str
    state: SimulatorState


@pytest.fixture
def sim(settings: Settings) -> Iterator[Sim]:
    server, state = make_server(secret=SECRET)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    settings.AMTSFLUSS_EPAY_URL = url
    settings.AMTSFLUSS_EPAY_SECRET = SECRET
    yield Sim(url=url, state=state)
    server.shutdown()
    server.server_close()
