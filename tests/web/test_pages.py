"""Public start page, staff start page, languages and the page frame."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from amtsfluss.core.models import Vertretung
from tests.conftest import PASSWORD, World, client_for


def arrange(world: World, *, person, deputy, start_in_days=-1, days=7):  # type: ignore[no-untyped-def]
    start = timezone.now() + timedelta(days=start_in_days)
    return Vertretung.objects.create(
        mandant=world.a,
        vertretene_person=person,
        vertretung=deputy,
        valid_from=start,
        valid_until=start + timedelta(days=days),
        reason="Urlaub",
        created_by=person,
    )


def test_public_start_page_names_the_mandant_of_the_host(world: World) -> None:
    a = Client(HTTP_HOST="a.test").get("/").content.decode()
    b = Client(HTTP_HOST="b.test").get("/").content.decode()
    assert '<h1 class="kern-heading-x-large">Online-Dienste von Stadt A</h1>' in a
    assert "Online-Dienste von Gemeinde B" in b and "Stadt A" not in b
    assert 'href="/anmelden/"' in a
    assert 'href="#inhalt"' in a and '<main id="inhalt"' in a
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles":false}\'>' in a
    assert "/static/kern/kern.min.css" in a and "/static/htmx/htmx.min.js" in a


def test_page_frame_has_no_inline_style_or_unnonced_script(world: World) -> None:
    for client, path in [
        (Client(HTTP_HOST="a.test"), "/"),
        (Client(HTTP_HOST="a.test"), "/anmelden/"),
        (client_for(world.clerk, "a.test"), "/intern/"),
        (client_for(world.clerk, "a.test"), "/intern/vertretungen/"),
        (client_for(world.operator, "a.test"), "/plattform/"),
    ]:
        html = client.get(path).content.decode()
        assert " style=" not in html and "<style" not in html, path
        assert html.count("<script") == html.count('<script src="/static/') == 1, path


def test_english_by_accept_language_and_by_the_language_switch(world: World) -> None:
    english = Client(HTTP_HOST="a.test", HTTP_ACCEPT_LANGUAGE="en").get("/").content.decode()
    assert '<html lang="en">' in english and "Online services of Stadt A" in english

    client = Client(HTTP_HOST="a.test")
    assert '<html lang="de">' in client.get("/anmelden/").content.decode()
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/anmelden/"})
    assert switched.status_code == 302 and switched["Location"] == "/anmelden/"
    html = client.get("/anmelden/").content.decode()
    assert '<html lang="en">' in html and ">Sign in</h1>" in html
    assert 'name="language" value="de" lang="de"' in html  # the way back


def test_staff_start_page_shows_name_units_roles_and_vertretungen(world: World) -> None:
    world.clerk.first_name, world.clerk.last_name = "Clara", "Klein"
    world.clerk.save()
    arrange(world, person=world.clerk, deputy=world.other_clerk)
    arrange(world, person=world.head, deputy=world.clerk)
    arrange(world, person=world.dsb, deputy=world.clerk, start_in_days=3)  # not yet in force
    html = client_for(world.clerk, "a.test").get("/intern/").content.decode()
    assert "Willkommen, Clara Klein" in html
    assert "32.1 Einheit 32.1" in html and "Sachbearbeitung" in html
    assert "32.2 Einheit 32.2" not in html
    deputising_for = html.split(">Sie vertreten</h3>")[1].split(">Sie werden vertreten von</h3>")[0]
    deputised_by = html.split(">Sie werden vertreten von</h3>")[1].split('id="security-heading"')[0]
    assert "head" in deputising_for and "dsb" not in deputising_for
    assert "other_clerk" in deputised_by
    assert "Zwei-Faktor-Authentifizierung ist für Ihr Konto noch nicht eingerichtet." in html


def test_staff_start_page_of_the_amtsleitung_shows_own_units_only(world: World) -> None:
    html = client_for(world.head, "a.test").get("/intern/").content.decode()
    assert "32 Einheit 32" in html and "Amtsleitung" in html
    assert "32.1 Einheit 32.1" not in html  # the subtree is led, but held by others


def test_platform_operator_gets_404_on_staff_pages(world: World) -> None:
    client = client_for(world.operator, "a.test")
    for path in ("/intern/", "/intern/vertretungen/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Seite nicht gefunden" in response.content.decode()


def test_not_found_page_uses_the_page_frame(world: World) -> None:
    response = Client(HTTP_HOST="a.test").get("/gibt-es-nicht/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<main id="inhalt"' in html and "Seite nicht gefunden" in html


def test_signed_in_header_offers_sign_out_as_a_form(world: World) -> None:
    html = client_for(world.clerk, "a.test").get("/intern/").content.decode()
    assert '<form class="af-signout" method="post" action="/abmelden/">' in html
    assert 'aria-current="page"' in html
    assert PASSWORD not in html
