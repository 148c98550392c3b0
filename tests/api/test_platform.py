"""The platform area of the API: the operator's session only; 404 for everybody else."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from amtsfluss.core.models import AuditEvent, Mandant
from tests.api.conftest import A_HOST, api_client
from tests.conftest import PASSWORD, World, client_for

NEW = {"slug": "c", "name": "Kreisstadt C", "hosts": ["C.test", "service.c.test"]}


def test_operator_lists_reads_and_creates_mandanten(world: World) -> None:
    client = client_for(world.operator, A_HOST)
    listed = client.get("/api/v1/platform/mandanten").json()
    assert listed["count"] == 2
    assert [(m["slug"], m["hosts"]) for m in listed["items"]] == [
        ("b", ["b.test"]),
        ("a", ["a.test"]),
    ]
    created = client.post("/api/v1/platform/mandanten", NEW, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["slug"], body["hosts"], body["is_default"]) == (
        "c",
        ["c.test", "service.c.test"],
        False,
    )
    mandant = Mandant.objects.get(slug="c")
    assert client.get(f"/api/v1/platform/mandanten/{mandant.pk}").json()["name"] == "Kreisstadt C"
    assert AuditEvent.objects.filter(mandant=None, action="mandant.create").exists()


@pytest.mark.parametrize(
    "change, status",
    [
        ({"slug": "a"}, 400),  # taken (service)
        ({"hosts": ["a.test"]}, 400),  # host taken (service)
        ({"hosts": ["x.test", "X.test"]}, 422),  # twice
        ({"hosts": ["bad host"]}, 422),
        ({"slug": "Not A Slug"}, 422),
        ({"name": ""}, 422),
        ({"name": "C\x00"}, 422),
    ],
)
def test_invalid_mandant_is_refused(world: World, change: dict[str, Any], status: int) -> None:
    client = client_for(world.operator, A_HOST)
    response = client.post(
        "/api/v1/platform/mandanten", {**NEW, **change}, content_type="application/json"
    )
    assert response.status_code == status, response.content
    assert "detail" in response.json()
    assert Mandant.objects.count() == 2


def test_staff_session_gets_404_and_is_audited(world: World) -> None:
    client = client_for(world.admin, A_HOST)
    for response in (
        client.get("/api/v1/platform/mandanten"),
        client.get(f"/api/v1/platform/mandanten/{world.b.pk}"),
        client.post("/api/v1/platform/mandanten", NEW, content_type="application/json"),
    ):
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    assert not Mandant.objects.filter(slug="c").exists()
    denied = AuditEvent.objects.filter(mandant=world.a, action="platform.denied")
    assert denied.count() == 3 and {e.actor_id for e in denied} == {world.admin.pk}


def test_api_keys_and_anonymous_get_404(world: World) -> None:
    for client in (api_client(world.admin), Client(HTTP_HOST=A_HOST)):
        response = client.get(f"/api/v1/platform/mandanten/{world.a.pk}")
        assert response.status_code == 404
        assert "Stadt A" not in response.content.decode()
        created = client.post("/api/v1/platform/mandanten", NEW, content_type="application/json")
        assert created.status_code == 404
    assert not Mandant.objects.filter(slug="c").exists()


def test_operator_post_needs_the_csrf_token(world: World) -> None:
    client = Client(HTTP_HOST=A_HOST, enforce_csrf_checks=True)
    token = client.get("/anmelden/").cookies[settings.CSRF_COOKIE_NAME].value
    client.post(
        "/anmelden/",
        {"username": "operator", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    refused = client.post("/api/v1/platform/mandanten", NEW, content_type="application/json")
    assert refused.status_code == 403
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    accepted = client.post(
        "/api/v1/platform/mandanten", NEW, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 201
