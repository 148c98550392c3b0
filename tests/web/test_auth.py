"""Staff sign-in and sign-out: session renewal, throttling, Mandant isolation, timeouts, cookies."""

from __future__ import annotations

import re
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client, override_settings

from amtsfluss.core.models import AuditEvent
from amtsfluss.core.services.auth import SESSION_LOGIN_AT, SESSION_SEEN_AT
from tests.conftest import PASSWORD, World, client_for

SESSION_COOKIE = settings.SESSION_COOKIE_NAME


def last_event(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("occurred_at", "seq")


def post_login(client: Client, username: str, password: str, **extra: str) -> object:
    return client.post("/anmelden/", {"username": username, "password": password, **extra})


def is_signed_in(client: Client) -> bool:
    return client.get("/intern/").status_code == 200


def test_login_page_is_german_by_default(world: World) -> None:
    response = Client(HTTP_HOST="a.test").get("/anmelden/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="de">' in html
    assert '<h1 class="kern-heading-large">Anmelden</h1>' in html
    assert 'for="id_username">Benutzername<' in html


def test_login_cycles_the_session_key(world: World) -> None:
    """ASVS 7.2.4: a session an attacker planted before login is worthless afterwards."""
    client = Client(HTTP_HOST="a.test")
    planted = client.session.session_key  # creates a stored session and sets its cookie
    assert planted and Session.objects.filter(session_key=planted).exists()
    response = post_login(client, "clerk", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/intern/"
    renewed = response.cookies[SESSION_COOKIE].value
    assert renewed and renewed != planted
    assert not Session.objects.filter(session_key=planted).exists()
    event = last_event("login.success")
    assert (event.actor_id, event.mandant_id, event.outcome) == (
        world.clerk.pk,
        world.a.pk,
        "success",
    )


def test_wrong_password_is_400_with_an_accessible_error_and_audited(world: World) -> None:
    client = Client(HTTP_HOST="a.test")
    response = post_login(client, "clerk", "wrong password")
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="login-error"' in html and 'role="alert"' in html
    assert "Benutzername oder Passwort ist falsch." in html
    for name in ("username", "password"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
        assert tag is not None
        assert 'aria-describedby="login-error"' in tag.group(0)
        assert 'aria-invalid="true"' in tag.group(0)
    event = last_event("login.failed")
    assert (event.actor_label, event.outcome, event.mandant_id) == ("clerk", "denied", world.a.pk)
    assert not is_signed_in(client)


def test_empty_form_is_400_and_reaches_no_service(world: World) -> None:
    response = post_login(Client(HTTP_HOST="a.test"), "", "")
    assert response.status_code == 400
    assert "Dieses Feld ist zwingend erforderlich." in response.content.decode()
    assert not AuditEvent.objects.filter(action__startswith="login.").exists()


@override_settings(AMTSFLUSS_LOGIN_MAX_FAILURES=3)
def test_throttled_after_max_failures_even_with_the_right_password(world: World) -> None:
    client = Client(HTTP_HOST="a.test")
    for _ in range(3):
        assert post_login(client, "clerk", "wrong password").status_code == 400
    response = post_login(client, "clerk", PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == str(settings.AMTSFLUSS_LOGIN_WINDOW_SECONDS)
    assert "Zu viele fehlgeschlagene Versuche." in response.content.decode()
    assert last_event("login.throttled").actor_label == "clerk"
    assert not is_signed_in(client)
    # another user from the same address is not locked out by clerk's failures
    assert post_login(Client(HTTP_HOST="a.test"), "head", PASSWORD).status_code == 302


def test_user_of_mandant_b_cannot_log_in_on_host_of_a(world: World) -> None:
    client = Client(HTTP_HOST="a.test")
    response = post_login(client, "b_clerk", PASSWORD)
    assert response.status_code == 400
    assert last_event("login.failed").actor_label == "b_clerk"
    assert not is_signed_in(client)
    assert post_login(Client(HTTP_HOST="b.test"), "b_clerk", PASSWORD).status_code == 302


def test_session_of_mandant_b_ends_when_it_arrives_on_host_of_a(world: World) -> None:
    client = client_for(world.b_clerk, "b.test")
    response = client.get("/intern/", HTTP_HOST="a.test")
    assert response.status_code == 302
    assert response["Location"].startswith("/anmelden/")
    assert last_event("session.wrong_mandant").actor_id == world.b_clerk.pk
    assert client.get("/intern/", HTTP_HOST="b.test").status_code == 302  # the session is gone


def test_anonymous_staff_page_redirects_to_login(world: World) -> None:
    response = Client(HTTP_HOST="a.test").get("/intern/")
    assert response.status_code == 302
    assert response["Location"] == "/anmelden/?next=/intern/"


def test_login_follows_a_local_next_but_not_a_foreign_one(world: World) -> None:
    local = post_login(Client(HTTP_HOST="a.test"), "clerk", PASSWORD, next="/intern/vertretungen/")
    assert local["Location"] == "/intern/vertretungen/"
    foreign = post_login(
        Client(HTTP_HOST="a.test"), "clerk", PASSWORD, next="https://evil.example/"
    )
    assert foreign["Location"] == "/intern/"


def test_platform_operator_lands_in_the_platform_area(world: World) -> None:
    response = post_login(Client(HTTP_HOST="a.test"), "operator", PASSWORD)
    assert response["Location"] == "/plattform/"


def _age_session(client: Client, **seconds_ago: float) -> None:
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = time.time() - ago
    session.save()


def test_idle_timeout_ends_the_session(world: World) -> None:
    client = client_for(world.clerk, "a.test")
    assert is_signed_in(client)
    _age_session(client, **{SESSION_SEEN_AT: settings.AMTSFLUSS_SESSION_IDLE_SECONDS + 5})
    response = client.get("/intern/")
    assert response.status_code == 302
    assert response["Location"] == "/anmelden/?next=/intern/"
    assert last_event("session.timeout").actor_id == world.clerk.pk
    login_page = client.get(response["Location"]).content.decode()
    assert "Ihre Sitzung ist abgelaufen." in login_page
    assert not is_signed_in(client)


def test_absolute_timeout_ends_an_active_session(world: World) -> None:
    client = client_for(world.clerk, "a.test")
    _age_session(
        client,
        **{SESSION_LOGIN_AT: settings.SESSION_COOKIE_AGE + 5, SESSION_SEEN_AT: 1},
    )
    assert client.get("/intern/").status_code == 302
    assert last_event("session.timeout").actor_id == world.clerk.pk
    assert not is_signed_in(client)


def test_a_recent_session_stays_signed_in(world: World) -> None:
    client = client_for(world.clerk, "a.test")
    _age_session(client, **{SESSION_SEEN_AT: settings.AMTSFLUSS_SESSION_IDLE_SECONDS - 60})
    assert is_signed_in(client)


def test_logout_is_post_only_and_audited(world: World) -> None:
    client = client_for(world.clerk, "a.test")
    assert client.get("/abmelden/").status_code == 405
    assert is_signed_in(client)
    response = client.post("/abmelden/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert last_event("session.logout").actor_id == world.clerk.pk
    assert not is_signed_in(client)
    assert "Sie wurden abgemeldet." in client.get("/").content.decode()


def test_security_headers(world: World) -> None:
    response = Client(HTTP_HOST="a.test").get("/")
    csp = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp)
    assert nonce is not None
    assert "script-src 'self' 'nonce-" in csp
    assert "style-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert f'nonce="{nonce.group(1)}"' in response.content.decode()  # the htmx script tag
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_session_and_csrf_cookies_are_httponly_and_samesite_lax(world: World) -> None:
    client = Client(HTTP_HOST="a.test")
    form = client.get("/anmelden/")
    csrf = form.cookies[settings.CSRF_COOKIE_NAME]
    response = post_login(client, "clerk", PASSWORD)
    session = response.cookies[SESSION_COOKIE]
    for cookie in (session, csrf):
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"


@pytest.mark.parametrize(
    ("user", "path"),
    [
        (None, "/anmelden/"),
        ("clerk", "/anmelden/mfa/"),
        ("clerk", "/intern/"),
        ("clerk", "/intern/vertretungen/"),
        ("operator", "/plattform/"),
    ],
)
def test_signed_in_and_sign_in_pages_are_not_cached(
    world: World, user: str | None, path: str
) -> None:
    """After sign-out, the browser's back button must not show staff data from its cache."""
    client = (
        Client(HTTP_HOST="a.test") if user is None else client_for(getattr(world, user), "a.test")
    )
    response = client.get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
