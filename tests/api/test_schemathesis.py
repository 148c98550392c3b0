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

from amtsfluss.akte.models import Vorgang
from amtsfluss.api.urls import api
from amtsfluss.core.models import ApiKey, Role, Vertretung
from amtsfluss.core.services.organisation import membership_grant
from amtsfluss.wsgi import application
from tests.api.akte.conftest import AkteWorld, CaseFile, akten, case_file
from tests.api.conftest import A_HOST, make_vertretung, new_key
from tests.conftest import World, client_for

__all__ = ["akten"]  # the E-Akte fixture, for the E-Akte operations below

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
    assert len(list(served.get_all_operations())) == 66


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


#: The E-Akte operations (Aktenplan, Akten, Vorgänge, Dokumente, Wiedervorlagen).
AKTE_PATHS = "^/api/v1/(aktenplan|akten|vorgaenge|inbox|dokumente|dokumentversionen|wiedervorlagen)"


@pytest.fixture
def akte_case(akten: AkteWorld) -> CaseFile:
    """Two filled Akten the clerk works on; generated ids (often small) hit their objects."""
    case_file(akten, akten.vertr_32_1)
    return case_file(akten, akten.offen_32_1)


@schema.include(path_regex=AKTE_PATHS).parametrize()
@EXAMPLES
def test_akte_operations_conform_for_a_clerk_with_case_files(
    case: schemathesis.Case[Any], akte_case: CaseFile
) -> None:
    """``admin`` sees no case files; the clerk of 32.1 sees and works on these.

    Multipart bodies are generated too (``file`` as bytes); the success paths of the uploads
    are taken on purpose in ``test_successful_akte_operations_conform`` and in tests/api/akte.
    """
    token = new_key(akte_case.vorgang.akte.created_by)[1]
    with in_test_transaction():
        response = case.call_and_validate(
            base_url=BASE_URL, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
        )
    assert response.status_code != 401


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


def test_successful_akte_operations_conform(akten: AkteWorld, akte_case: CaseFile) -> None:
    """Each E-Akte operation once on its success path, with a body the schema must describe."""
    w = akten.w
    case = akte_case
    other = Vorgang.objects.create(
        mandant=w.a, akte=akten.vertr_32_1, betreff="Ziel", bearbeitende_oe=w.units["32.1"],
        eingangsdatum=timezone.localdate(),
    )  # fmt: skip
    today = timezone.localdate().isoformat()
    leaf = akten.positions["10.38.60"].pk

    def op(path: str, method: str = "GET", **kwargs: Any) -> schemathesis.Case[Any]:
        return schema[f"/api/v1{path}"][method].Case(**kwargs)

    def json_body(body: dict[str, Any]) -> dict[str, Any]:
        return {"body": body, "media_type": "application/json"}

    cases: list[tuple[str, schemathesis.Case[Any], int]] = [
        ("admin", op("/aktenplan", "POST",
                     **json_body({"kennzeichen": "10.38.70", "titel": "M"})), 201),
        ("clerk", op("/aktenplan"), 200),
        ("clerk", op("/aktenplan/{id}", path_parameters={"id": leaf}), 200),
        ("clerk", op("/aktenplan/export", query={"format": "json"}), 200),
        ("clerk", op("/akten", query={"q": "offen"}), 200),
        ("clerk", op("/akten", "POST", **json_body({
            "position_id": akten.positions["10.38.50"].pk, "titel": "Neu",
            "federfuehrende_oe_id": w.units["32.1"].pk, "vertraulichkeit": "vertraulich",
        })), 201),
        ("clerk", op("/akten/{id}", path_parameters={"id": case.akte.pk}), 200),
        ("clerk", op("/akten/{id}/history", path_parameters={"id": case.akte.pk}), 200),
        ("clerk", op("/akten/{id}/beteiligungen", "POST", path_parameters={"id": case.akte.pk},
                     **json_body({"unit_id": w.units["32.2"].pk, "gueltig_bis": None})), 201),
        ("clerk", op("/akten/{id}/beteiligungen/{bid}", "DELETE",
                     path_parameters={"id": case.akte.pk, "bid": case.beteiligung.pk}), 204),
        ("clerk", op("/akten/{id}/beteiligte", "POST", path_parameters={"id": case.akte.pk},
                     **json_body({"rolle": "Zeuge", "person": {"art": "juristisch",
                                                               "name": "Firma GmbH"}})), 201),
        ("clerk", op("/akten/{id}/vorgaenge", "POST", path_parameters={"id": akten.vertr_32_1.pk},
                     **json_body({"betreff": "Nachtrag", "frist": today})), 201),
        ("clerk", op("/vorgaenge", query={"bearbeiter": "me"}), 200),
        ("clerk", op("/inbox", query={"view": "unit"}), 200),
        ("clerk", op("/vorgaenge/{id}", path_parameters={"id": case.vorgang.pk}), 200),
        ("clerk", op("/vorgaenge/{id}/dokumente", path_parameters={"id": case.vorgang.pk}), 200),
        ("clerk", op("/vorgaenge/{id}/dokumente", "POST", path_parameters={"id": case.vorgang.pk},
                     body={"titel": "Scan", "dokumentdatum": today, "richtung": "eingang",
                           "dokumenttyp": "nachweis", "file": b"%PDF-1.7 scan"},
                     media_type="multipart/form-data"), 201),
        ("clerk", op("/dokumente/{id}", path_parameters={"id": case.dokument.pk}), 200),
        ("clerk", op("/dokumente/{id}/versionen", "POST", path_parameters={"id": case.dokument.pk},
                     body={"kommentar": "Korrektur", "file": b"v2"},
                     media_type="multipart/form-data"), 201),
        ("clerk", op("/dokumentversionen/{id}/download", path_parameters={"id": case.version.pk}),
         200),
        ("clerk", op("/dokumente/{id}/move", "POST", path_parameters={"id": case.dokument.pk},
                     **json_body({"vorgang_id": other.pk})), 200),
        ("clerk", op("/wiedervorlagen", query={"due": "today"}), 200),
        ("clerk", op("/wiedervorlagen", "POST", **json_body({
            "vorgang_id": case.vorgang.pk, "faellig_am": today, "fuer_oe_id": w.units["32.1"].pk,
        })), 201),
        ("clerk", op("/wiedervorlagen/{id}/erledigt", "POST",
                     path_parameters={"id": case.wiedervorlage.pk}), 200),
        ("clerk", op("/vorgaenge/{id}", "PATCH", path_parameters={"id": case.vorgang.pk},
                     **json_body({"status": "erledigt", "bearbeiter_id": None})), 200),
        ("clerk", op("/vorgaenge/{id}/move", "POST", path_parameters={"id": other.pk},
                     **json_body({"akte_id": case.akte.pk})), 200),
        ("clerk", op("/vorgaenge/{id}", "PATCH", path_parameters={"id": other.pk},
                     **json_body({"status": "erledigt"})), 200),
        ("clerk", op("/akten/{id}/zda", "POST", path_parameters={"id": case.akte.pk}), 200),
        ("clerk", op("/akten/{id}/reopen", "POST", path_parameters={"id": case.akte.pk}), 200),
        ("clerk", op("/akten/{id}/refile", "POST", path_parameters={"id": case.akte.pk},
                     **json_body({"position_id": leaf})), 200),
    ]  # fmt: skip
    tokens = {"admin": new_key(w.admin)[1], "clerk": new_key(w.clerk)[1]}
    for who, case_, status in cases:
        with in_test_transaction():
            response = case_.call_and_validate(
                base_url=BASE_URL, headers={"Authorization": f"Bearer {tokens[who]}"}, checks=CHECKS
            )
        assert response.status_code == status, (case_.operation.label, response.text)


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
