"""TOTP as second factor: enrolment, verification, throttling, audit (ASVS 6.3.3)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.fixtures import Settings

from amtsfluss.core.models import AuditEvent
from tests.conftest import World, client_for

pytestmark = pytest.mark.usefixtures("require_mfa")


@pytest.fixture
def require_mfa(settings: Settings) -> None:
    settings.AMTSFLUSS_REQUIRE_MFA = True


def code(device: TOTPDevice, *, step_offset: int = 0) -> str:
    """The device's code for now (or a neighbouring time step, which it also accepts)."""
    value = totp(device.bin_key, device.step, device.t0, device.digits, step_offset)
    return f"{value:0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    accepted = {code(device, step_offset=offset) for offset in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in accepted)


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("occurred_at", "seq"))


def test_staff_page_redirects_to_mfa_until_enrolled(world: World) -> None:
    client = client_for(world.clerk, "a.test")
    response = client.get("/intern/")
    assert response.status_code == 302
    assert response["Location"] == "/anmelden/mfa/?next=/intern/"


def test_enrolment_shows_qr_code_and_secret_and_unlocks_with_a_valid_code(
    world: World, settings: Settings
) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the wrong code below would otherwise delay the next
    client = client_for(world.clerk, "a.test")
    page = client.get("/anmelden/mfa/?next=/intern/")
    html = page.content.decode()
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=world.clerk)
    assert not device.confirmed
    assert '<svg role="img"' in html and "<title>QR-Code" in html
    secret = re.search(r'<code class="af-secret">([A-Z2-7 ]+)</code>', html)
    assert secret is not None
    assert secret.group(1).replace(" ", "") == device.config_url.split("secret=")[1].split("&")[0]
    # reloading keeps the secret (an app that scanned it stays valid)
    assert client.get("/anmelden/mfa/").content.decode().count(secret.group(1)) == 1
    assert TOTPDevice.objects.filter(user=world.clerk).count() == 1

    wrong = client.post("/anmelden/mfa/", {"token": wrong_code(device), "next": "/intern/"})
    assert wrong.status_code == 400
    assert "Dieser Code ist nicht gültig." in wrong.content.decode()
    assert client.get("/intern/").status_code == 302
    [failed] = events("login.mfa_failed")
    assert (failed.actor_id, failed.outcome, failed.details) == (
        world.clerk.pk,
        "denied",
        {"enrolment": True},
    )

    session_before = client.cookies[settings.SESSION_COOKIE_NAME].value
    right = client.post("/anmelden/mfa/", {"token": code(device), "next": "/intern/"})
    assert right.status_code == 302
    assert right["Location"] == "/intern/"
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != session_before
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/intern/").status_code == 200
    [success] = events("login.mfa")
    assert (success.actor_id, success.outcome, success.details) == (
        world.clerk.pk,
        "success",
        {"enrolment": True},
    )


def test_confirmed_device_is_asked_for_a_code_at_the_next_sign_in(world: World) -> None:
    device = TOTPDevice.objects.create(user=world.clerk, name="amtsfluss", confirmed=True)
    client = client_for(world.clerk, "a.test")
    page = client.get("/anmelden/mfa/")
    assert "<svg" not in page.content.decode()  # no enrolment, no secret shown again
    assert "Anmeldung bestätigen" in page.content.decode()
    response = client.post("/anmelden/mfa/", {"token": code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/intern/"
    assert client.get("/intern/").status_code == 200
    assert events("login.mfa")[-1].details == {"enrolment": False}


def test_a_code_cannot_be_used_twice(world: World) -> None:
    device = TOTPDevice.objects.create(user=world.clerk, name="amtsfluss", confirmed=True)
    used = code(device)
    first = client_for(world.clerk, "a.test")
    assert first.post("/anmelden/mfa/", {"token": used}).status_code == 302
    second = client_for(world.clerk, "a.test")
    assert second.post("/anmelden/mfa/", {"token": used}).status_code == 400
    assert second.get("/intern/").status_code == 302


def test_wrong_codes_are_throttled_by_the_device(world: World, settings: Settings) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # after one failure, the next try must wait a minute
    device = TOTPDevice.objects.create(user=world.clerk, name="amtsfluss", confirmed=True)
    client = client_for(world.clerk, "a.test")
    assert client.post("/anmelden/mfa/", {"token": wrong_code(device)}).status_code == 400
    throttled = client.post("/anmelden/mfa/", {"token": code(device)})
    assert throttled.status_code == 429
    assert "Zu viele falsche Codes." in throttled.content.decode()
    assert client.get("/intern/").status_code == 302
    [event] = events("login.mfa_throttled")
    assert (event.actor_id, event.outcome) == (world.clerk.pk, "denied")
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_malformed_code_is_a_form_error_and_costs_no_attempt(world: World) -> None:
    device = TOTPDevice.objects.create(user=world.clerk, name="amtsfluss", confirmed=True)
    client = client_for(world.clerk, "a.test")
    response = client.post("/anmelden/mfa/", {"token": "12ab56"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_token_error"' in html
    assert re.search(r'<input[^>]*aria-describedby="id_token_helptext id_token_error"', html)
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    assert not events("login.mfa_failed")


def test_code_with_spaces_is_accepted(world: World) -> None:
    device = TOTPDevice.objects.create(user=world.clerk, name="amtsfluss", confirmed=True)
    client = client_for(world.clerk, "a.test")
    spaced = f"{code(device)[:3]} {code(device)[3:]}"
    assert client.post("/anmelden/mfa/", {"token": spaced}).status_code == 302


def test_mfa_page_needs_the_password_first(world: World) -> None:
    response = Client(HTTP_HOST="a.test").get("/anmelden/mfa/")
    assert response.status_code == 302
    assert response["Location"] == "/anmelden/?next=/anmelden/mfa/"


def test_platform_operator_also_needs_the_second_factor(world: World) -> None:
    client = client_for(world.operator, "a.test")
    response = client.get("/plattform/")
    assert response["Location"] == "/anmelden/mfa/?next=/plattform/"
