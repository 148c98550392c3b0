"""The Posteingang API: ``POST /api/v1/posteingang/sendungen`` (multipart, several files) and
``GET /api/v1/posteingang/eingaenge/{id}``; authenticated and authorized as the rest of the API,
hostile files refused each with its reason while the rest goes on, and nothing for another
unit or Mandant."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.test import Client
from django.utils import translation
from pytest_django import Settings

from amtsfluss.akte.services.vorgang import vorgang_create
from amtsfluss.api.urls import api
from amtsfluss.core.models import Blob
from amtsfluss.core.permissions import Principal
from amtsfluss.posteingang.models import Eingang, EingangStatus, Sendung
from amtsfluss.posteingang.uploads import too_many_message
from tests.akte.pages.conftest import german
from tests.api.conftest import api_client, key_client, new_key
from tests.conftest import client_for
from tests.posteingang import files
from tests.posteingang.conftest import Post
from tests.posteingang.web import (
    A_HOST,
    B_HOST,
    EXTENSION_PARAMS,
    LIMIT,
    REASONS,
    TOO_LARGE,
    hostile_batch,
    mandant_b_akte,
    open_akte,
    upload_file,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/posteingang/sendungen"


def _send(client: Client, *uploads: SimpleUploadedFile, **fields: object) -> Any:
    """The API answers in the language asked for; these tests compare the English msgids."""
    return client.post(URL, {"files": list(uploads), **fields}, HTTP_ACCEPT_LANGUAGE="en")


def _eingang(client: Client, pk: int, host: str = A_HOST) -> Any:
    return client.get(f"/api/v1/posteingang/eingaenge/{pk}", HTTP_HOST=host)


def test_files_handed_in_and_their_state_followed(post: Post) -> None:
    clerk = api_client(post.w.clerk)
    response = _send(
        clerk,
        upload_file("antrag.pdf", files.text_pdf("Antrag auf Sondernutzung")),
        upload_file("anlage.docx", files.docx("Lageplan zum Antrag")),
        unit="32.1",
        betreff="Sondernutzung",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    sendung = Sendung.objects.get()
    assert (body["id"], body["kanal"], body["betreff"]) == (sendung.pk, "api", "Sondernutzung")
    assert body["unit"]["code"] == "32.1" and body["vorgang_id"] is None
    assert [(e["dateiname"], e["status"], e["grund"]) for e in body["eingaenge"]] == [
        ("antrag.pdf", "geprueft", ""),
        ("anlage.docx", "geprueft", ""),
    ]
    first = body["eingaenge"][0]
    assert first["media_type"] == "application/pdf" and first["dokument_id"] is None

    post.process(sendung)
    state = _eingang(clerk, first["id"]).json()
    eingang = Eingang.objects.get(pk=first["id"])
    assert state["status"] == "bereit" and state["dokument_id"] == eingang.dokument_id
    assert state["sendung_id"] == sendung.pk and state["finished_at"]


def test_a_hostile_batch_refuses_each_bad_file_with_its_reason(
    post: Post, settings: Settings
) -> None:
    settings.AMTSFLUSS_MAX_UPLOAD_BYTES = LIMIT
    batch = hostile_batch()
    response = _send(api_client(post.w.clerk), *(upload_file(n, d) for n, d in batch), unit="32.1")
    assert response.status_code == 201, response.content
    rows = {e["dateiname"]: e for e in response.json()["eingaenge"]}
    assert list(rows) == [name for name, _data in batch]
    # reasons are stored, so they are in the administration's language, whoever sent the files
    with translation.override("de"):
        assert rows["riesig.pdf"]["grund"] == german(TOO_LARGE, filesizeformat(LIMIT))
    assert rows["riesig.pdf"]["size"] > LIMIT
    assert rows["bescheid.docx"]["grund"] == german(REASONS["bescheid.docx"], **EXTENSION_PARAMS)
    for name in ("verschluesselt.pdf", "bombe.docx"):
        assert rows[name]["status"] == "abgewiesen" and rows[name]["grund"] == german(REASONS[name])
    assert rows["antrag.pdf"]["status"] == "geprueft" and rows["antrag.pdf"]["grund"] == ""


def test_too_many_files_and_too_large_bodies_are_refused_whole(
    post: Post, settings: Settings
) -> None:
    settings.AMTSFLUSS_MAX_UPLOAD_FILES = 2
    settings.AMTSFLUSS_MAX_UPLOAD_BATCH_BYTES = LIMIT
    clerk = api_client(post.w.clerk)
    blobs = Blob.objects.count()
    uploads = [upload_file(f"brief{i}.txt", f"Brief {i}".encode()) for i in range(3)]
    response = _send(clerk, *uploads, unit="32.1")
    assert response.status_code == 400
    assert response.json() == {"detail": too_many_message(3), "code": "too_many_files"}
    response = clerk.generic(
        "POST",
        URL,
        b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(500 * 1024 * 1024),
    )
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert not Sendung.objects.exists() and Blob.objects.count() == blobs


def test_units_and_targets_must_be_the_callers(post: Post) -> None:
    w = post.w
    clerk = api_client(w.clerk)
    brief = ("brief.txt", b"Guten Tag")
    cases: list[tuple[dict[str, object], int, str]] = [
        ({"unit": "99"}, 400, "This unit does not exist."),
        ({"unit": "32.2"}, 403, "You may only hand in documents for your own units."),
        (
            {"unit": "32.1", "ziel_akte_id": open_akte(post, w.other_clerk, "32.2").pk},
            400,
            "There is no open Akte with this id that you may work on.",
        ),
        (
            {"unit": "32.1", "ziel_akte_id": 1, "ziel_vorgang_id": 1},
            400,
            "Name either a target Vorgang or a target Akte, not both.",
        ),
        ({"unit": "32.1", "ziel_vorgang_id": 2**62}, 400, ""),
    ]
    for fields, status, message in cases:
        response = _send(clerk, upload_file(*brief), **fields)
        assert response.status_code == status, (fields, response.content)
        if message:
            assert response.json()["detail"] == message
    # another Mandant's Akte and Vorgang, named by their ids: as if they did not exist
    b_akte = mandant_b_akte(post)
    b_vorgang = vorgang_create(principal=Principal.for_user(w.b_clerk), akte=b_akte, betreff="B")
    for target in ({"ziel_akte_id": b_akte.pk}, {"ziel_vorgang_id": b_vorgang.pk}):
        response = _send(clerk, upload_file(*brief), unit="32.1", **target)
        assert response.status_code == 400, target
        assert "Akte in B" not in response.content.decode()
    assert not Sendung.objects.exists()
    b_clerk = api_client(w.b_clerk, B_HOST)  # Mandant B knows no 32.1: A's unit is no unit
    b_response = _send(b_clerk, upload_file(*brief), unit="32.1")
    assert b_response.status_code == 400 and not Sendung.objects.exists()
    own = open_akte(post, w.clerk, "32.1")
    response = _send(clerk, upload_file(*brief), unit="32.1", ziel_akte_id=own.pk)
    assert response.status_code == 201 and response.json()["ziel_akte_id"] == own.pk


def test_an_eingang_is_for_its_unit_only(post: Post) -> None:
    w = post.w
    sendung = post.receive(("brief.txt", b"Guten Tag"))
    pk = sendung.eingaenge.get().pk
    assert _eingang(api_client(w.clerk), pk).status_code == 200
    assert _eingang(api_client(w.head), pk).status_code == 200
    for user in (w.other_clerk, w.admin, w.dsb):
        assert _eingang(api_client(user), pk).status_code == 404
    assert _eingang(api_client(w.b_clerk, B_HOST), pk, B_HOST).status_code == 404
    a_token = new_key(w.clerk)[1]
    assert _eingang(key_client(a_token, B_HOST), pk, B_HOST).status_code == 401  # A's key at B
    assert _eingang(Client(HTTP_HOST=A_HOST), pk).status_code == 401
    assert _eingang(api_client(w.clerk), 2**63).status_code == 422


def test_keys_sessions_and_methods(post: Post, settings: Settings) -> None:
    w = post.w
    brief = ("brief.txt", b"Guten Tag")
    read_only = api_client(w.clerk, scopes=("read",))
    assert _send(read_only, upload_file(*brief), unit="32.1").status_code == 403
    assert _send(Client(HTTP_HOST=A_HOST), upload_file(*brief), unit="32.1").status_code == 401
    session = client_for(w.clerk, A_HOST)
    session.handler.enforce_csrf_checks = True
    assert _send(session, upload_file(*brief), unit="32.1").status_code == 403  # no CSRF token
    assert not Sendung.objects.exists()
    csrf = session.get("/intern/posteingang/hochladen/").cookies[settings.CSRF_COOKIE_NAME].value
    response = session.post(
        URL, {"files": [upload_file(*brief)], "unit": "32.1"}, HTTP_X_CSRFTOKEN=csrf
    )
    assert response.status_code == 201 and Sendung.objects.get().received_by == w.clerk
    clerk = api_client(w.clerk)
    assert clerk.get(URL).status_code == 405
    eingang_url = f"/api/v1/posteingang/eingaenge/{Eingang.objects.get().pk}"
    assert clerk.delete(eingang_url).status_code == 405
    assert Eingang.objects.get().status == EingangStatus.GEPRUEFT


def test_the_operations_are_in_the_openapi_document() -> None:
    paths = api.get_openapi_schema()["paths"]
    create = paths["/api/v1/posteingang/sendungen"]["post"]
    assert create["operationId"] == "posteingang_sendungen_create"
    assert {201, 400, 401, 403, 413, 422} <= set(create["responses"])
    body = create["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert body["properties"]["files"]["type"] == "array"
    assert {"files", "unit"} <= set(body["required"])
    get = paths["/api/v1/posteingang/eingaenge/{id}"]["get"]
    assert get["operationId"] == "posteingang_eingaenge_get"
    assert {200, 401, 404, 422} <= set(get["responses"])


def test_the_answers_conform_to_the_document(post: Post) -> None:
    """Both operations once on their success path, validated against the OpenAPI document."""
    from tests.api.test_schemathesis import BASE_URL, CHECKS, in_test_transaction, schema

    token = new_key(post.w.clerk)[1]
    headers = {"Authorization": f"Bearer {token}"}
    create = schema["/api/v1/posteingang/sendungen"]["POST"].Case(
        body={
            "unit": "32.1",
            "betreff": "Test",
            "files": [files.text_pdf("Ein Antrag"), files.encrypted_pdf()],
        },
        media_type="multipart/form-data",
    )
    with in_test_transaction():
        response = create.call_and_validate(base_url=BASE_URL, headers=headers, checks=CHECKS)
    assert response.status_code == 201, response.text
    statuses = [e["status"] for e in response.json()["eingaenge"]]
    assert statuses == ["geprueft", "abgewiesen"], response.text
    get = schema["/api/v1/posteingang/eingaenge/{id}"]["GET"].Case(
        path_parameters={"id": response.json()["eingaenge"][1]["id"]}
    )
    with in_test_transaction():
        response = get.call_and_validate(base_url=BASE_URL, headers=headers, checks=CHECKS)
    assert response.status_code == 200 and response.json()["grund"]
