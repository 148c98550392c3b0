"""The OpenAPI document: version 3.1, security schemes, declared error answers everywhere."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.api.conftest import A_HOST
from tests.conftest import World


@pytest.fixture
def document(world: World) -> dict[str, Any]:
    # served under a Mandant's host name like everything but /healthz, /readyz, /static/
    response = Client(HTTP_HOST=A_HOST).get("/api/v1/schema")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_is_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")


def test_declares_bearer_and_cookie_security(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["ApiKeyAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["ApiKeyAuth"]["description"],
    }
    assert schemes["SessionAuth"]["type"] == "apiKey"
    assert schemes["SessionAuth"]["in"] == "cookie"
    assert schemes["SessionAuth"]["name"] == "amtsfluss_session"


def test_every_operation_is_secured_and_declares_its_errors(document: dict[str, Any]) -> None:
    operations = _operations(document)
    assert len(operations) == 66
    for method, path, operation in operations:
        codes = set(operation["responses"])
        assert operation["security"], path
        assert {"404", "422"} <= codes if "{id}" in path else "422" in codes, path
        if path.startswith("/api/v1/platform/"):
            assert operation["security"] == [{"OperatorSessionAuth": []}]
            assert "401" not in codes  # the platform answers 404 to everybody else
        else:
            assert operation["security"] == [{"ApiKeyAuth": []}, {"SessionAuth": []}]
            assert "401" in codes
        if method in ("post", "patch", "delete"):
            assert {"400", "403"} <= codes, path
        assert {"200", "201", "204"} & codes, path


#: GET operations without an id that are not lists.
NOT_LISTS = {"/api/v1/me", "/api/v1/aktenplan/export"}


def test_lists_are_paginated_alike(document: dict[str, Any]) -> None:
    lists = [
        (path, op)
        for method, path, op in _operations(document)
        if method == "get" and "{id}" not in path and path not in NOT_LISTS
    ]
    assert len(lists) == 14
    schemas = document["components"]["schemas"]
    for path, operation in lists:
        params = {p["name"] for p in operation["parameters"]}
        assert {"limit", "offset"} <= params, path
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        page = schemas[ref.rsplit("/", 1)[1]]
        assert set(page["required"]) >= {"count", "limit", "offset", "items"}, path


def test_no_two_schemas_share_a_name() -> None:
    """The OpenAPI components are keyed by class name: two schemas of one name would silently
    become one, and an endpoint would be documented (and checked) with the other's fields."""
    import importlib
    import pkgutil

    from ninja import Schema

    import amtsfluss.api

    for module in pkgutil.walk_packages(amtsfluss.api.__path__, "amtsfluss.api."):
        importlib.import_module(module.name)
    seen: dict[str, str] = {}
    pending = list(Schema.__subclasses__())
    while pending:
        schema = pending.pop()
        pending += schema.__subclasses__()
        if not schema.__module__.startswith("amtsfluss."):
            continue
        where = f"{schema.__module__}.{schema.__qualname__}"
        assert seen.setdefault(schema.__name__, where) == where, (seen[schema.__name__], where)
