"""Online payment through the simulated provider over real HTTP on loopback: start → the
provider's page "Bezahlen" → signed notification marks the Forderung bezahlt; tampered,
stale, replayed or unfitting notifications are refused; the status query books a payment
whose notification was lost; an unreachable provider leaves the Forderung open."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from django.conf import Settings
from pytest_django.live_server_helper import LiveServer

from amtsfluss.core.models import AuditEvent
from amtsfluss.kasse.epay import EpayError, HttpProvider, signed_headers
from amtsfluss.kasse.models import Forderung, OnlineZahlung, Quelle, Zustand
from amtsfluss.kasse.simulator import Zahlung, notification_body
from tests.kasse.conftest import SECRET, TIMEOUT, KasseWorld, Sim


def _press_online(
    live_server: LiveServer, token: str, before: Callable[[], None] = lambda: None
) -> tuple[httpx.Client, httpx.Response]:
    """Open the payment page, run ``before``, press "pay online"; the client and the answer."""
    client = httpx.Client(
        base_url=live_server.url, follow_redirects=False, trust_env=False, timeout=TIMEOUT
    )
    page = client.get(f"/zahlung/{token}/")
    assert page.status_code == 200
    assert "form-action 'self' http://127.0.0.1:" in page.headers["content-security-policy"]
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert csrf is not None
    before()
    answer = client.post(
        f"/zahlung/{token}/online/",
        data={"csrfmiddlewaretoken": csrf.group(1)},
        headers={"Referer": f"{live_server.url}/zahlung/{token}/"},
    )
    return client, answer


def _start(live_server: LiveServer, token: str) -> tuple[httpx.Client, str]:
    """Press "pay online"; the client and the provider URL it was sent to."""
    client, started = _press_online(live_server, token)
    assert started.status_code == 302
    return client, started.headers["location"]


def _notify(live_server: LiveServer, body: bytes, headers: dict[str, str]) -> int:
    response = httpx.post(
        f"{live_server.url}/zahlung/benachrichtigung/",
        content=body,
        headers=headers,
        trust_env=False,
        timeout=TIMEOUT,
    )
    return response.status_code


def test_pay_online_round_trip(kw: KasseWorld, sim: Sim, live_server: LiveServer) -> None:
    forderung, token = kw.forderung("12.00")
    client, provider_url = _start(live_server, token)
    assert provider_url.startswith(sim.url + "/zahlen/T")
    provider_page = httpx.get(provider_url, trust_env=False, timeout=TIMEOUT)
    assert "Bezahlen" in provider_page.text and forderung.kassenzeichen in provider_page.text
    paid = httpx.post(provider_url, data={"aktion": "bezahlen"}, trust_env=False, timeout=TIMEOUT)
    assert paid.status_code == 303
    forderung.refresh_from_db()
    assert forderung.zustand == Zustand.BEZAHLT  # by the notification, before the return
    wechsel = forderung.historie.get(nach=Zustand.BEZAHLT)
    assert wechsel.quelle == Quelle.ONLINE
    assert wechsel.referenz == OnlineZahlung.objects.get(forderung=forderung).transaktion
    back = client.get(paid.headers["location"])
    assert back.status_code == 302
    page = client.get(back.headers["location"])
    assert "Vielen Dank: Die Gebühr ist bezahlt." in page.text
    assert forderung.historie.filter(nach=Zustand.BEZAHLT).count() == 1


def test_cancelled_payment_leaves_the_forderung_open(
    kw: KasseWorld, sim: Sim, live_server: LiveServer
) -> None:
    forderung, token = kw.forderung("12.00")
    _client, provider_url = _start(live_server, token)
    httpx.post(provider_url, data={"aktion": "abbrechen"}, trust_env=False, timeout=TIMEOUT)
    forderung.refresh_from_db()
    assert forderung.zustand == Zustand.OFFEN
    assert OnlineZahlung.objects.get(forderung=forderung).status == "abgebrochen"


def _zahlung_of(sim: Sim, forderung: Forderung) -> Zahlung:
    return next(
        z for z in sim.state.zahlungen.values() if z.kassenzeichen == forderung.kassenzeichen
    )


def test_tampered_stale_replayed_and_unfitting_notifications_are_refused(
    kw: KasseWorld, sim: Sim, live_server: LiveServer
) -> None:
    forderung, token = kw.forderung("12.00")
    _start(live_server, token)
    zahlung = _zahlung_of(sim, forderung)
    zahlung.status = "bezahlt"
    body = notification_body(zahlung, nachricht_id="N-1")
    headers = signed_headers(SECRET, body)
    # tampered: the amount changed after signing
    tampered = body.replace(b'"12.00"', b'"0.01"')
    assert _notify(live_server, tampered, headers) == 400
    # signed with another secret
    assert _notify(live_server, body, signed_headers("wrong", body)) == 400
    # no signature at all
    assert _notify(live_server, body, {"Content-Type": "application/json"}) == 400
    # stale: signed ten minutes ago
    assert _notify(live_server, body, signed_headers(SECRET, body, time.time() - 600)) == 400
    # signed correctly but the amount does not fit the Forderung
    cheap: dict[str, Any] = {**json.loads(body), "betrag": "1.00", "nachricht_id": "N-2"}
    cheap_body = json.dumps(cheap).encode()
    assert _notify(live_server, cheap_body, signed_headers(SECRET, cheap_body)) == 400
    assert AuditEvent.objects.filter(action="kasse.online.mismatch").count() == 1
    forderung.refresh_from_db()
    assert forderung.zustand == Zustand.OFFEN
    # signed garbage, a list, an unknown transaction, an oversize body
    for junk in (b"\xff\xfe{", b"[1, 2]", body.replace(zahlung.transaktion.encode(), b"T0")):
        assert _notify(live_server, junk, signed_headers(SECRET, junk)) == 400
    huge = b" " * (17 * 1024)
    assert _notify(live_server, huge, signed_headers(SECRET, huge)) == 413
    # the genuine one books; its replay is refused and books nothing
    assert _notify(live_server, body, headers) == 204
    assert _notify(live_server, body, headers) == 400
    forderung.refresh_from_db()
    assert forderung.zustand == Zustand.BEZAHLT
    assert forderung.historie.filter(nach=Zustand.BEZAHLT).count() == 1


def test_lost_notification_is_made_good_by_the_status_query(
    kw: KasseWorld, sim: Sim, live_server: LiveServer
) -> None:
    forderung, token = kw.forderung("8.00")
    client, _provider_url = _start(live_server, token)
    _zahlung_of(sim, forderung).status = "bezahlt"  # paid, notification never arrived
    back = client.get(f"/zahlung/{token}/zurueck/")
    assert back.status_code == 302
    forderung.refresh_from_db()
    assert forderung.zustand == Zustand.BEZAHLT


def test_unreachable_provider_leaves_the_forderung_open(
    kw: KasseWorld, sim: Sim, live_server: LiveServer, settings: Settings
) -> None:
    forderung, token = kw.forderung("8.00")

    def provider_gone() -> None:
        settings.AMTSFLUSS_EPAY_URL = "http://127.0.0.1:9"  # discard port: nobody listens

    client, answer = _press_online(live_server, token, provider_gone)
    assert answer.status_code == 302 and answer.headers["location"] == f"/zahlung/{token}/"
    assert "nicht erreichbar" in client.get(answer.headers["location"]).text
    forderung.refresh_from_db()
    assert forderung.zustand == Zustand.OFFEN
    assert not OnlineZahlung.objects.exists()


def test_provider_refuses_requests_with_a_wrong_secret(sim: Sim) -> None:
    provider = HttpProvider(base_url=sim.url, secret="wrong", haendler="x")
    with pytest.raises(EpayError, match="refused the request \\(HTTP 401\\)"):
        provider.start(
            kassenzeichen="KZ-2026-000001-19",
            betrag=Decimal("1.00"),
            zweck="x",
            return_url="http://127.0.0.1/r",
            notify_url="http://127.0.0.1/n",
        )
    assert sim.state.zahlungen == {}


def test_simulator_refuses_non_loopback_callbacks(sim: Sim) -> None:
    provider = HttpProvider(base_url=sim.url, secret=SECRET, haendler="x")
    with pytest.raises(EpayError):
        provider.start(
            kassenzeichen="KZ-2026-000001-19",
            betrag=Decimal("1.00"),
            zweck="x",
            return_url="http://example.org/r",
            notify_url="http://example.org/n",
        )
    assert sim.state.zahlungen == {}
