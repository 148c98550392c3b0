"""Property-based conformance: schemathesis drives every operation from the OpenAPI document.

Each generated request (valid and invalid input alike) must get no 5xx, a status code the
document declares for the operation, and a body that matches the declared schema. The
application is called in-process through its WSGI entry point, inside the test's transaction:
like Django's test client, ``in_test_transaction`` keeps ``close_old_connections`` from closing
the connection between requests. Hypothesis is derandomized and bounded, so the run is repeatable
and takes seconds.

The document is taken from the API object itself (``from_dict``) when the module is collected —
fetching ``/api/v1/schema`` needs a Mandant in the database, which does not exist before a
test runs — and ``test_the_served_document_is_the_tested_one`` proves it is the served one.
(``schemathesis.pytest.from_fixture`` would load it inside a test, but its lazy loader writes
``Function._nodeid``, which pytest 9 no longer has.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
import werkzeug
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from amtsfluss.api.urls import api
from amtsfluss.core.models import ApiKey, Role, Vertretung
from amtsfluss.core.services.organisation import membership_grant
from amtsfluss.wsgi import application
from tests.api.conftest import A_HOST, make_vertretung, new_key
from tests.conftest import World, client_for

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
BASE_URL = f"http://{A_HOST}"
EXAMPLES = hypothesis_settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@contextmanager
def in_test_transaction() -> Iterator[None]:
    """Let WSGI requests share the test's connection and transaction, as the test client does.

    Django closes "old" connections when a request starts and finishes; inside a test that
    would close the connection holding the test's transaction. (Used around each call, not as
    a fixture: every use of Django's test client connects the handlers again.)
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def fresh_key(world: World) -> Callable[[], str]:
    """A new read/write key per request of a person who may see everything there is.

    ``admin`` (Fachadministration) also gets Datenschutz, so that the audit log answers with
    data too. A fresh key each time: a generated ``POST /apikeys/{id}/revoke`` may hit the key.
    """
    membership_grant(user=world.admin, unit=world.units["11"], role=Role.DATENSCHUTZ, by=None)
    for hours in (-1, 24):  # one in force (ends with 200), one in the future (cancels with 204)
        make_vertretung(
            world, world.clerk, world.head, start=timedelta(hours=hours), end=timedelta(days=2)
        )
    new_key(world.clerk)
    return lambda: new_key(world.admin)[1]


@dataclass(frozen=True)
class Browser:
    """A platform operator's browser: session and CSRF cookies for the host, and the token."""

    client: werkzeug.Client
    headers: dict[str, str]

    @property
    def session(self) -> Any:
        """For ``call_and_validate(session=...)``: typed as requests' session, for WSGI the
        werkzeug client is what the transport uses."""
        return self.client


@pytest.fixture
def operator_browser(world: World) -> Browser:
    login = client_for(world.operator, A_HOST)
    csrf = login.get("/anmelden/").cookies[settings.CSRF_COOKIE_NAME].value
    browser = werkzeug.Client(application)
    # schemathesis' own cookie handling binds cookies to "localhost", so they would not be sent
    browser.set_cookie(
        settings.SESSION_COOKIE_NAME,
        login.cookies[settings.SESSION_COOKIE_NAME].value,
        domain=A_HOST,
    )
    browser.set_cookie(settings.CSRF_COOKIE_NAME, csrf, domain=A_HOST)
    return Browser(client=browser, headers={"X-CSRFToken": csrf})


schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = application


def test_the_served_document_is_the_tested_one(world: World) -> None:
    with in_test_transaction():
        served = schemathesis.openapi.from_wsgi(
            "/api/v1/schema", application, headers={"Host": A_HOST}
        )
    assert served.raw_schema == schema.raw_schema
    assert len(list(served.get_all_operations())) == 17


@schema.parametrize()
@EXAMPLES
def test_every_operation_conforms_with_an_api_key(
    case: schemathesis.Case[Any], fresh_key: Callable[[], str]
) -> None:
    with in_test_transaction():
        response = case.call_and_validate(
            base_url=BASE_URL,
            headers={"Authorization": f"Bearer {fresh_key()}"},
            checks=CHECKS,
        )
    assert response.status_code != 401  # the key is accepted


@schema.include(path_regex="^/api/v1/platform/").parametrize()
@EXAMPLES
def test_platform_operations_conform_for_the_operator(
    case: schemathesis.Case[Any], operator_browser: Browser
) -> None:
    with in_test_transaction():
        response = case.call_and_validate(
            base_url=BASE_URL,
            session=operator_browser.session,
            headers=operator_browser.headers,
            checks=CHECKS,
        )
    if "{id}" not in case.path:  # the operator is recognised: the platform exists for them
        assert response.status_code != 404


def test_successful_writes_conform(world: World, fresh_key: Callable[[], str]) -> None:
    """Random ids rarely name a real person; these cases take the success paths on purpose."""
    now = timezone.now()
    ended = Vertretung.objects.filter(valid_from__lte=now).get()
    cancelled = Vertretung.objects.filter(valid_from__gt=now).get()
    key = ApiKey.objects.get(user=world.clerk)
    cases = [
        (
            schema["/api/v1/vertretungen"]["POST"].Case(
                body={
                    "vertretene_person_id": world.other_clerk.pk,
                    "vertretung_id": world.clerk.pk,
                    "valid_from": now.isoformat(),
                    "valid_until": (now + timedelta(days=1)).isoformat(),
                    "reason": "Fortbildung",
                },
                media_type="application/json",
            ),
            201,
        ),
        (
            schema["/api/v1/vertretungen/{id}/end"]["POST"].Case(path_parameters={"id": ended.pk}),
            200,
        ),
        (
            schema["/api/v1/vertretungen/{id}/end"]["POST"].Case(
                path_parameters={"id": cancelled.pk}
            ),
            204,
        ),
        (schema["/api/v1/apikeys/{id}/revoke"]["POST"].Case(path_parameters={"id": key.pk}), 200),
    ]
    for case, status in cases:
        with in_test_transaction():
            response = case.call_and_validate(
                base_url=BASE_URL, headers={"Authorization": f"Bearer {fresh_key()}"}, checks=CHECKS
            )
        assert response.status_code == status, (case.operation.label, response.text)


def test_successful_platform_writes_conform(operator_browser: Browser) -> None:
    case = schema["/api/v1/platform/mandanten"]["POST"].Case(
        body={"slug": "c", "name": "Kreisstadt C", "hosts": ["c.test"], "is_default": False},
        media_type="application/json",
    )
    with in_test_transaction():
        response = case.call_and_validate(
            base_url=BASE_URL,
            session=operator_browser.session,
            headers=operator_browser.headers,
            checks=CHECKS,
        )
    assert response.status_code == 201, response.text
