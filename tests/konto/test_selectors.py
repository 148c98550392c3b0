"""What other apps read: the signed-in citizen of a request, and the prefill values."""

from __future__ import annotations

import time

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.test import Client, RequestFactory

from amtsfluss.core.models import Mandant
from amtsfluss.konto import session
from amtsfluss.konto.models import Buerger
from amtsfluss.konto.selectors import PREFILL_KEYS, buerger_from_request, prefill_for
from amtsfluss.konto.services import profil_update
from tests.conftest import World
from tests.konto.conftest import make_buerger, signed_in


def _request(client: Client, mandant: Mandant) -> HttpRequest:
    """A request carrying ``client``'s session, as the middleware would hand it to a view."""
    request = RequestFactory().get("/dienste/", HTTP_HOST="a.test")
    request.session = client.session
    request.mandant = mandant  # type: ignore[attr-defined]
    request.user = AnonymousUser()
    return request


def _with_profile(world: World) -> Buerger:
    buerger = make_buerger(world.a, "erika@example.org")
    return profil_update(
        buerger=buerger,
        data={"vorname": "Erika", "nachname": "Mustermann", "strasse": "Heidestraße",
              "hausnummer": "17a", "plz": "51147", "ort": "Köln", "telefon": "0221 12345"},
    )  # fmt: skip


def test_prefill_of_a_signed_in_citizen(world: World) -> None:
    buerger = _with_profile(world)
    request = _request(signed_in("a.test", "erika@example.org"), world.a)
    assert buerger_from_request(request) == buerger
    assert prefill_for(request) == {
        "vorname": "Erika",
        "nachname": "Mustermann",
        "name": "Erika Mustermann",
        "email": "erika@example.org",
        "telefon": "0221 12345",
        "strasse": "Heidestraße",
        "hausnummer": "17a",
        "strasse_hausnummer": "Heidestraße 17a",
        "plz": "51147",
        "ort": "Köln",
    }
    assert set(prefill_for(request)) <= set(PREFILL_KEYS)


def test_nobody_signed_in_prefills_nothing(world: World) -> None:
    request = _request(Client(HTTP_HOST="a.test"), world.a)
    assert buerger_from_request(request) is None
    assert prefill_for(request) == {}


def test_session_of_another_mandant_is_none(world: World) -> None:
    _with_profile(world)
    request = _request(signed_in("a.test", "erika@example.org"), world.b)
    assert buerger_from_request(request) is None
    assert prefill_for(request) == {}


def test_timed_out_or_deactivated_sessions_are_none(world: World) -> None:
    buerger = _with_profile(world)
    client = signed_in("a.test", "erika@example.org")
    request = _request(client, world.a)
    request.session[session.KEY_SEEN_AT] = time.time() - 31 * 60
    assert buerger_from_request(request) is None
    assert session.KEY_BUERGER not in request.session
    request = _request(signed_in("a.test", "erika@example.org"), world.a)
    request.session[session.KEY_LOGIN_AT] = time.time() - 11 * 3600
    assert buerger_from_request(request) is None
    request = _request(signed_in("a.test", "erika@example.org"), world.a)
    Buerger.objects.filter(pk=buerger.pk).update(is_active=False)
    assert buerger_from_request(request) is None


def test_a_staff_request_is_no_citizen(world: World) -> None:
    _with_profile(world)
    request = _request(signed_in("a.test", "erika@example.org"), world.a)
    request.user = world.clerk
    assert buerger_from_request(request) is None
    assert prefill_for(request) == {}
