"""The account pages through Django's test client: the whole flow, and hostile use of it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks, Settings

from amtsfluss.core.models import AuditEvent
from amtsfluss.konto.models import Buerger
from amtsfluss.web.schutz import pow
from tests.conftest import PASSWORD, World
from tests.konto.conftest import (
    CITIZEN_PASSWORD,
    links_in_mail,
    make_buerger,
    post_with_pow,
    signed_in,
    solved_fields,
)
from tests.schutz.conftest import Clock

NEW_PASSWORD = "Kastanienweg-Herbst-2027"


def _path(link: str) -> str:
    return urlsplit(link).path


@pytest.mark.django_db(transaction=True)
def test_register_confirm_sign_in_and_keep_a_profile(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    client = Client(HTTP_HOST="a.test")
    page = client.get("/konto/registrieren/")
    assert page.status_code == 200
    assert "Bürgerkonto eröffnen" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_with_pow(
            client,
            "/konto/registrieren/",
            {
                "email": "Erika@Example.org",
                "password": CITIZEN_PASSWORD,
                "password2": CITIZEN_PASSWORD,
            },
        )
    assert response.status_code == 302 and response["Location"] == "/konto/registrieren/gesendet/"
    buerger = Buerger.objects.get(mandant=world.a)
    assert not buerger.is_verified
    assert buerger.password != CITIZEN_PASSWORD  # hashed
    # not signed in before the address is confirmed
    refused = client.post(
        "/konto/anmelden/", {"email": "erika@example.org", "password": CITIZEN_PASSWORD}
    )
    assert refused.status_code == 400
    assert "bestätigen Sie zuerst" in refused.content.decode()
    [link] = links_in_mail("Erika@Example.org")
    assert link.startswith("http://a.test/konto/bestaetigen/")
    asked = client.get(_path(link))
    assert asked.status_code == 200
    assert "Erika@Example.org" in asked.content.decode()
    buerger.refresh_from_db()
    assert not buerger.is_verified  # following the link alone confirms nothing
    confirmed = client.post(_path(link), {"password": CITIZEN_PASSWORD})
    assert confirmed.status_code == 302 and confirmed["Location"] == "/konto/"
    buerger.refresh_from_db()
    assert buerger.is_verified
    profile = client.get("/konto/")
    assert "Angemeldet als Erika@Example.org" in profile.content.decode()
    saved = client.post(
        "/konto/",
        {"vorname": "Erika", "nachname": "Mustermann", "strasse": "Heidestraße", "hausnummer": "17",
         "zusatz": "", "plz": "51147", "ort": "Köln", "telefon": "+49 221 12345"},
    )  # fmt: skip
    assert saved.status_code == 302
    buerger.refresh_from_db()
    assert (buerger.vorname, buerger.plz, buerger.ort) == ("Erika", "51147", "Köln")
    actions = list(
        AuditEvent.objects.filter(object_type="konto.buerger", object_id=str(buerger.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "konto.registered",
        "konto.login.unverified",
        "konto.verified",
        "konto.login.success",
        "konto.profile_updated",
    ]
    assert not AuditEvent.objects.filter(actor_label__icontains="example.org").exists()
    out = client.post("/konto/abmelden/")
    assert out.status_code == 302
    assert client.get("/konto/")["Location"] == "/konto/anmelden/?next=%2Fkonto%2F"


@pytest.mark.django_db(transaction=True)
def test_registration_does_not_tell_whether_an_address_has_an_account(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    known = make_buerger(world.a, "known@example.org")
    hash_before = known.password
    answers = []
    for email in ("known@example.org", "KNOWN@example.org", "new@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_with_pow(
                Client(HTTP_HOST="a.test"),
                "/konto/registrieren/",
                {"email": email, "password": NEW_PASSWORD, "password2": NEW_PASSWORD},
            )
        answers.append((response.status_code, response["Location"]))
    assert len(set(answers)) == 1
    assert Buerger.objects.filter(mandant=world.a).count() == 2
    known.refresh_from_db()
    assert known.password == hash_before  # nobody takes over an account by registering again
    # the owner learns of it; the link offered is the password reset, not a confirmation
    links = links_in_mail("known@example.org")
    assert links and all("/konto/passwort/" in link for link in links)


@pytest.mark.django_db(transaction=True)
def test_registering_someone_elses_address_first_gains_nothing(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    """An attacker registers the victim's address with a password of their own; the victim
    registers too and follows the link: the account is not confirmed with the attacker's
    password, and the victim's way in is the reset, which replaces it."""
    attacker_password = "Angreifer-Passwort-0815"
    register = {"email": "opfer@example.org"}
    with django_capture_on_commit_callbacks(execute=True):
        post_with_pow(
            Client(HTTP_HOST="a.test"),
            "/konto/registrieren/",
            {**register, "password": attacker_password, "password2": attacker_password},
        )
        post_with_pow(
            Client(HTTP_HOST="a.test"),
            "/konto/registrieren/",
            {**register, "password": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
    confirm_links = links_in_mail("opfer@example.org")
    assert len(confirm_links) == 2
    victim = Client(HTTP_HOST="a.test")
    refused = victim.post(_path(confirm_links[-1]), {"password": NEW_PASSWORD})
    assert refused.status_code == 400
    assert "Neues Passwort festlegen" in refused.content.decode()
    assert not Buerger.objects.get(email="opfer@example.org").is_verified
    attacker = Client(HTTP_HOST="a.test")
    denied = attacker.post(
        "/konto/anmelden/", {"email": "opfer@example.org", "password": attacker_password}
    )
    assert denied.status_code == 400  # unconfirmed: no way in
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post_with_pow(victim, "/konto/passwort/", register)
    [reset] = links_in_mail("opfer@example.org")
    victim.post(_path(reset), {"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    signed_in("a.test", "opfer@example.org", NEW_PASSWORD)
    assert (
        attacker.post(
            "/konto/anmelden/", {"email": "opfer@example.org", "password": attacker_password}
        ).status_code
        == 400
    )


@pytest.mark.django_db(transaction=True)
def test_password_reset_is_enumeration_safe_single_use_and_ends_other_sessions(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    make_buerger(world.a, "erika@example.org")
    other_session = signed_in("a.test", "erika@example.org")
    assert other_session.get("/konto/").status_code == 200
    answers = []
    for email in ("nobody@example.org", "erika@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_with_pow(
                Client(HTTP_HOST="a.test"), "/konto/passwort/", {"email": email}
            )
        answers.append((response.status_code, response["Location"]))
    assert answers[0] == answers[1] == (302, "/konto/passwort/gesendet/")
    [link] = links_in_mail("erika@example.org")
    assert not links_in_mail("nobody@example.org")
    client = Client(HTTP_HOST="a.test")
    assert client.get(_path(link)).status_code == 200
    weak = client.post(_path(link), {"password": "12345678", "password2": "12345678"})
    assert weak.status_code == 400
    done = client.post(_path(link), {"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    # once only, and the other session is over
    assert client.get(_path(link)).status_code == 400
    assert other_session.get("/konto/").status_code == 302
    assert (
        Client(HTTP_HOST="a.test")
        .post("/konto/anmelden/", {"email": "erika@example.org", "password": CITIZEN_PASSWORD})
        .status_code
        == 400
    )
    signed_in("a.test", "erika@example.org", NEW_PASSWORD)


def test_links_of_another_mandant_tampered_or_expired_are_refused(
    world: World, settings: Settings
) -> None:
    from amtsfluss.konto.tokens import reset_token, verify_token

    buerger = make_buerger(world.a, "erika@example.org", verified=False)
    b_client = Client(HTTP_HOST="b.test")
    assert b_client.get(f"/konto/bestaetigen/{verify_token(buerger)}/").status_code == 400
    assert b_client.get(f"/konto/passwort/{reset_token(buerger)}/").status_code == 400
    a_client = Client(HTTP_HOST="a.test")
    token = verify_token(buerger)
    assert a_client.get(f"/konto/bestaetigen/{token[:-2]}xx/").status_code == 400
    assert a_client.get(f"/konto/bestaetigen/{'A' * 800}/").status_code == 400
    settings.AMTSFLUSS_KONTO_VERIFY_SECONDS = -1
    assert a_client.get(f"/konto/bestaetigen/{token}/").status_code == 400
    buerger.refresh_from_db()
    assert not buerger.is_verified
    settings.AMTSFLUSS_KONTO_RESET_SECONDS = -1
    assert a_client.get(f"/konto/passwort/{reset_token(buerger)}/").status_code == 400


def test_weak_or_different_passwords_open_no_account(world: World) -> None:
    client = Client(HTTP_HOST="a.test")
    for password, again, expected in [
        ("kurz", "kurz", "zu kurz"),
        ("password1234", "password1234", "zu üblich"),
        ("123456789012345", "123456789012345", "komplett numerisch"),
        ("erika.mustermann@example.org", "erika.mustermann@example.org", "zu ähnlich"),
        (CITIZEN_PASSWORD, CITIZEN_PASSWORD + "x", "stimmen nicht überein"),
    ]:
        response = post_with_pow(
            client,
            "/konto/registrieren/",
            {"email": "erika.mustermann@example.org", "password": password, "password2": again},
        )
        assert response.status_code == 400
        assert expected in response.content.decode(), expected
    assert not Buerger.objects.exists()


@pytest.mark.parametrize(
    "email", ["", "not-an-address", "a@b", "x" * 250 + "@example.org", "erika@exa\u202emple.org"]
)
def test_hostile_addresses_open_no_account(world: World, email: str) -> None:
    response = post_with_pow(
        Client(HTTP_HOST="a.test"),
        "/konto/registrieren/",
        {"email": email, "password": CITIZEN_PASSWORD, "password2": CITIZEN_PASSWORD},
    )
    assert response.status_code == 400
    assert not Buerger.objects.exists()


def test_registration_needs_the_proof_of_work(world: World, clock: Clock) -> None:
    client = Client(HTTP_HOST="a.test")
    data = {
        "email": "erika@example.org",
        "password": CITIZEN_PASSWORD,
        "password2": CITIZEN_PASSWORD,
    }
    assert client.post("/konto/registrieren/", data).status_code == 400
    page = client.get("/konto/registrieren/").content.decode()
    fields = solved_fields(page)
    wrong = str(
        next(n for n in range(10_000) if not pow.solves(fields[pow.CHALLENGE_FIELD], str(n), 6))
    )
    response = client.post("/konto/registrieren/", {**data, **fields, pow.NONCE_FIELD: wrong})
    assert response.status_code == 400
    assert "Sicherheitsprüfung ist nicht gelungen" in response.content.decode()
    assert not Buerger.objects.exists()
    assert client.post("/konto/registrieren/", {**data, **fields}).status_code == 302
    # the same solution a second time is refused (and opens nothing for another address)
    replay = client.post("/konto/registrieren/", {**data, "email": "zweite@example.org", **fields})
    assert replay.status_code == 400
    assert "schon verwendet" in replay.content.decode()
    assert Buerger.objects.count() == 1


def test_without_javascript_registration_works_after_the_wait(
    world: World, clock: Clock, settings: Settings
) -> None:
    settings.AMTSFLUSS_POW_NOJS_WAIT_SECONDS = 30
    client = Client(HTTP_HOST="a.test")
    page = client.get("/konto/registrieren/").content.decode()
    assert "<noscript>" in page and "frühestens 30 Sekunden" in page
    token = solved_fields(page)[pow.CHALLENGE_FIELD]
    data = {
        "email": "erika@example.org", "password": CITIZEN_PASSWORD, "password2": CITIZEN_PASSWORD,
        pow.CHALLENGE_FIELD: token, pow.NONCE_FIELD: "",
    }  # fmt: skip
    clock.advance(10)
    early = client.post("/konto/registrieren/", data)
    assert early.status_code == 400
    body = early.content.decode()
    assert "warten Sie bitte noch 20 Sekunden" in body
    assert token in body  # the same challenge again: the wait goes on
    clock.advance(20)
    assert client.post("/konto/registrieren/", data).status_code == 302
    assert Buerger.objects.count() == 1


def test_registration_is_rate_limited_per_address(world: World) -> None:
    client = Client(HTTP_HOST="a.test", REMOTE_ADDR="203.0.113.9")
    for n in range(10):
        response = client.post("/konto/registrieren/", {"email": f"x{n}@example.org"})
        assert response.status_code == 400
    refused = client.post("/konto/registrieren/", {"email": "y@example.org"})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Zu viele Anfragen" in refused.content.decode()
    assert client.get("/konto/registrieren/").status_code == 200  # reading is not limited
    other = Client(HTTP_HOST="a.test", REMOTE_ADDR="203.0.113.10")
    assert other.post("/konto/registrieren/", {"email": "z@example.org"}).status_code == 400


def test_sign_in_is_throttled_per_account(world: World) -> None:
    make_buerger(world.a, "erika@example.org")
    make_buerger(world.a, "max@example.org")
    client = Client(HTTP_HOST="a.test")
    for _ in range(5):
        response = client.post(
            "/konto/anmelden/", {"email": "erika@example.org", "password": "falsch-falsch"}
        )
        assert response.status_code == 400
        assert "E-Mail-Adresse oder Passwort ist falsch" in response.content.decode()
    throttled = client.post(
        "/konto/anmelden/", {"email": "Erika@example.org", "password": CITIZEN_PASSWORD}
    )
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert AuditEvent.objects.filter(action="konto.login.throttled").count() == 1
    assert AuditEvent.objects.filter(action="konto.login.failed").count() == 5
    signed_in("a.test", "max@example.org")  # another account is not locked by it


def test_sign_in_is_throttled_per_client_address(world: World) -> None:
    client = Client(HTTP_HOST="a.test", REMOTE_ADDR="203.0.113.50")
    for n in range(30):
        client.post("/konto/anmelden/", {"email": f"u{n}@example.org", "password": "falsch-falsch"})
    refused = client.post("/konto/anmelden/", {"email": "u@example.org", "password": "x"})
    assert refused.status_code == 429


#: what differs between any two pages: the CSP nonce and the CSRF token
RANDOM_PER_PAGE = r'(nonce="|X-CSRFToken": "|csrfmiddlewaretoken" value=")[^"]+'


def test_unknown_address_and_wrong_password_read_the_same(world: World) -> None:
    make_buerger(world.a, "erika@example.org")

    def page_for(email: str) -> tuple[int, str]:
        response = Client(HTTP_HOST="a.test").post(
            "/konto/anmelden/", {"email": email, "password": "falsch-falsch"}
        )
        body = response.content.decode().replace(email, "<address>")
        return response.status_code, re.sub(RANDOM_PER_PAGE, "", body)

    assert page_for("erika@example.org") == page_for("nie@example.org")


def test_forms_need_the_csrf_token(world: World) -> None:
    make_buerger(world.a, "erika@example.org")
    client = Client(HTTP_HOST="a.test", enforce_csrf_checks=True)
    for url, data in [
        ("/konto/anmelden/", {"email": "erika@example.org", "password": CITIZEN_PASSWORD}),
        ("/konto/registrieren/", {"email": "x@example.org"}),
        ("/konto/passwort/", {"email": "erika@example.org"}),
        ("/konto/abmelden/", {}),
    ]:
        assert client.post(url, data).status_code == 403, url
    assert "konto_buerger" not in client.session


def test_a_citizen_is_not_staff(world: World) -> None:
    make_buerger(world.a, "erika@example.org")
    client = signed_in("a.test", "erika@example.org")
    for url in ("/intern/", "/intern/antraege/", "/intern/suche/", "/intern/vertretungen/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/anmelden/"), url
    assert client.get("/api/v1/me").status_code == 401  # the API's session auth: nobody
    # the staff sign-in does not accept a citizen's credentials either
    staff = Client(HTTP_HOST="a.test").post(
        "/anmelden/", {"username": "erika@example.org", "password": CITIZEN_PASSWORD}
    )
    assert staff.status_code == 400


def test_a_staff_session_is_no_citizen_session(world: World) -> None:
    make_buerger(world.a, "erika@example.org")
    client = signed_in("a.test", "erika@example.org")
    assert client.get("/konto/").status_code == 200
    assert client.post("/anmelden/", {"username": "clerk", "password": PASSWORD}).status_code == 302
    assert client.get("/konto/")["Location"].startswith("/konto/anmelden/")
    # and the other way round: a citizen sign-in ends the staff session
    client.post("/konto/anmelden/", {"email": "erika@example.org", "password": CITIZEN_PASSWORD})
    assert client.get("/intern/")["Location"].startswith("/anmelden/")


def test_accounts_are_per_mandant(world: World) -> None:
    make_buerger(world.a, "erika@example.org")
    b_client = Client(HTTP_HOST="b.test")
    refused = b_client.post(
        "/konto/anmelden/", {"email": "erika@example.org", "password": CITIZEN_PASSWORD}
    )
    assert refused.status_code == 400
    # the same address may have an account on B of its own
    make_buerger(world.b, "erika@example.org")
    assert Buerger.objects.filter(email="erika@example.org").count() == 2
    # a session opened on A is no session on B
    client = signed_in("a.test", "erika@example.org")
    assert client.get("/konto/", HTTP_HOST="b.test")["Location"].startswith("/konto/anmelden/")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("vorname", "Eri\u202eka"),
        ("nachname", "Muster\x00mann"),
        ("strasse", "Heide\nstraße"),
        ("plz", "5114"),
        ("plz", "ABCDE"),
        ("ort", "K" * 101),
        ("telefon", "<script>"),
    ],
)
def test_hostile_profile_entries_are_refused(world: World, field: str, value: str) -> None:
    buerger = make_buerger(world.a, "erika@example.org")
    client = signed_in("a.test", "erika@example.org")
    response = client.post("/konto/", {field: value})
    assert response.status_code == 400
    buerger.refresh_from_db()
    assert getattr(buerger, field) == ""


def test_next_after_sign_in_stays_on_the_site(world: World) -> None:
    make_buerger(world.a, "erika@example.org")
    client = Client(HTTP_HOST="a.test")
    data = {"email": "erika@example.org", "password": CITIZEN_PASSWORD}
    response = client.post("/konto/anmelden/?next=https://evil.example/", data)
    assert response["Location"] == "/konto/"
    client.post("/konto/abmelden/")
    response = client.post("/konto/anmelden/", {**data, "next": "/dienste/"})
    assert response["Location"] == "/dienste/"
    assert not mail.outbox
