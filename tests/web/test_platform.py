"""The platform area: only the operator, and Mandanten through the Mandant services."""

from __future__ import annotations

import pytest
from django.test import Client

from amtsfluss.core.models import AuditEvent, Mandant
from tests.conftest import PASSWORD, World, client_for

CREATE = "/plattform/mandanten/neu/"


def edit_url(mandant: Mandant) -> str:
    return f"/plattform/mandanten/{mandant.pk}/"


def test_operator_sees_all_mandanten_with_their_hosts(world: World) -> None:
    response = client_for(world.operator, "a.test").get("/plattform/")
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("Stadt A", "a.test", "Gemeinde B", "b.test", edit_url(world.b)):
        assert text in html


def test_operator_creates_a_mandant(world: World) -> None:
    client = client_for(world.operator, "a.test")
    response = client.post(
        CREATE,
        {"name": "Gemeinde C", "slug": "c", "hosts": "C.test\nservice.c.test, c.test"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/plattform/"
    created = Mandant.objects.get(slug="c")
    assert created.name == "Gemeinde C" and not created.is_default
    assert sorted(created.hosts.values_list("hostname", flat=True)) == ["c.test", "service.c.test"]
    event = AuditEvent.objects.get(action="mandant.create", object_id=str(created.pk))
    assert (event.chain, event.actor_id) == ("platform", world.operator.pk)
    listing = client.get("/plattform/").content.decode()
    assert "Mandant „Gemeinde C“ wurde angelegt." in listing


def test_service_refusal_is_shown_on_the_form(world: World) -> None:
    client = client_for(world.operator, "a.test")
    response = client.post(CREATE, {"name": "Noch ein A", "slug": "a", "hosts": "neu.test"})
    assert response.status_code == 400
    assert "Ein Mandant mit diesem Kurznamen existiert bereits." in response.content.decode()
    taken = client.post(CREATE, {"name": "Gemeinde D", "slug": "d", "hosts": "a.test"})
    assert taken.status_code == 400
    assert "Hostname wird bereits verwendet: a.test" in taken.content.decode()
    assert not Mandant.objects.filter(slug="d").exists()


@pytest.mark.parametrize("hosts", ["", "bad_host.test", "-x.test", "a..test"])
def test_invalid_host_names_are_form_errors(world: World, hosts: str) -> None:
    response = client_for(world.operator, "a.test").post(
        CREATE, {"name": "Gemeinde E", "slug": "e", "hosts": hosts}
    )
    assert response.status_code == 400
    assert 'id="id_hosts_error"' in response.content.decode()
    assert not Mandant.objects.filter(slug="e").exists()


def test_operator_edits_a_mandant(world: World) -> None:
    client = client_for(world.operator, "a.test")
    form = client.get(edit_url(world.b)).content.decode()
    assert "Gemeinde B" in form and "b.test" in form
    response = client.post(edit_url(world.b), {"name": "Gemeinde Bee", "hosts": "bee.test"})
    assert response.status_code == 302
    world.b.refresh_from_db()
    assert (world.b.name, world.b.is_active) == ("Gemeinde Bee", False)
    assert list(world.b.hosts.values_list("hostname", flat=True)) == ["bee.test"]
    assert AuditEvent.objects.filter(action="mandant.update", object_id=str(world.b.pk)).exists()


def test_edit_refuses_a_host_of_another_mandant(world: World) -> None:
    response = client_for(world.operator, "a.test").post(
        edit_url(world.b), {"name": "Gemeinde B", "is_active": "on", "hosts": "a.test"}
    )
    assert response.status_code == 400
    assert "Hostname wird bereits verwendet: a.test" in response.content.decode()


@pytest.mark.parametrize("user", ["clerk", "admin", "b_clerk"])
def test_staff_get_404_in_the_platform_area(world: World, user: str) -> None:
    staff = getattr(world, user)
    client = client_for(staff, "b.test" if staff.mandant == world.b else "a.test")
    assert client.get("/plattform/").status_code == 404
    assert client.get(CREATE).status_code == 404
    assert client.get(edit_url(world.a)).status_code == 404
    assert client.post(CREATE, {"name": "X", "slug": "x", "hosts": "x.test"}).status_code == 404
    assert client.post(edit_url(world.a), {"name": "X", "hosts": "x.test"}).status_code == 404
    assert not Mandant.objects.filter(slug="x").exists()
    world.a.refresh_from_db()
    assert world.a.name == "Stadt A"


def test_anonymous_is_sent_to_login(world: World) -> None:
    response = Client(HTTP_HOST="a.test").get("/plattform/")
    assert response.status_code == 302
    assert response["Location"] == "/anmelden/?next=/plattform/"


@pytest.fixture
def no_default_mandant(world: World) -> None:
    Mandant.objects.filter(pk=world.a.pk).update(is_default=False)


@pytest.mark.usefixtures("no_default_mandant")
def test_operator_works_on_a_host_that_belongs_to_no_mandant(world: World) -> None:
    client = Client(HTTP_HOST="betrieb.test")
    assert client.get("/").status_code == 404
    assert client.get("/anmelden/").status_code == 200
    response = client.post("/anmelden/", {"username": "operator", "password": PASSWORD})
    assert response["Location"] == "/plattform/"
    html = client.get("/plattform/").content.decode()
    assert "Stadt A" in html and "Gemeinde B" in html
    assert '<span class="kern-title kern-title--large">amtsfluss</span>' in html


@pytest.mark.usefixtures("no_default_mandant")
def test_operator_can_sign_out_without_a_mandant(world: World) -> None:
    client = Client(HTTP_HOST="betrieb.test")
    client.post("/anmelden/", {"username": "operator", "password": PASSWORD})
    response = client.post("/abmelden/")
    assert response.status_code == 302
    assert response["Location"] == "/anmelden/"  # there is no public start page here
    assert client.get("/plattform/").status_code == 302  # signed out: back to the login


@pytest.mark.usefixtures("no_default_mandant")
def test_operator_can_switch_language_without_a_mandant(world: World) -> None:
    client = Client(HTTP_HOST="betrieb.test")
    client.post("/anmelden/", {"username": "operator", "password": PASSWORD})
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/plattform/"})
    assert switched.status_code == 302
    assert '<html lang="en">' in client.get("/plattform/").content.decode()
