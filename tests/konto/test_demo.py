"""The demo citizen can sign in with the demo password and has a profile to prefill from."""

from __future__ import annotations

from amtsfluss.core.demo import DEMO_PASSWORD
from amtsfluss.konto.demo import DEMO_EMAIL, create_konto_demo
from amtsfluss.konto.models import Buerger
from tests.conftest import World
from tests.konto.conftest import signed_in


def test_demo_citizen_signs_in_with_a_profile(world: World) -> None:
    create_konto_demo(world.a, {})
    buerger = Buerger.objects.get(mandant=world.a, email=DEMO_EMAIL)
    assert buerger.is_verified
    client = signed_in("a.test", DEMO_EMAIL, DEMO_PASSWORD)
    page = client.get("/konto/").content.decode()
    assert 'value="Mustermann"' in page and 'value="51147"' in page
