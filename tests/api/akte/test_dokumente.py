"""Dokumente through the API: multipart upload, versions, move — and the upload size limit."""

from __future__ import annotations

import hashlib
import os
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from amtsfluss.akte.models import Dokument, Dokumentversion
from amtsfluss.akte.services.akte import akte_close
from amtsfluss.akte.services.vorgang import vorgang_create
from amtsfluss.core.models import AuditEvent, Blob, User
from tests.api.akte.conftest import AkteWorld, as_, case_file, post_json, upload_fields
from tests.api.conftest import A_HOST, api_client, new_key
from tests.conftest import PASSWORD, client_for


def test_upload_files_a_dokument(akten: AkteWorld) -> None:
    w = akten.w
    vorgang = vorgang_create(principal=as_(w.clerk), akte=akten.offen_32_1, betreff="x")
    content = b"%PDF-1.7\n" + os.urandom(2000)
    response = api_client(w.clerk).post(
        f"/api/v1/vorgaenge/{vorgang.pk}/dokumente",
        upload_fields(content, "Bescheid Müller.pdf", absender_empfaenger="Fa. Müller"),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["titel"], body["richtung"], body["dokumenttyp"]) == (
        "Eingangsschreiben",
        "eingang",
        "schreiben",
    )
    assert body["absender_empfaenger"] == "Fa. Müller"
    [version] = body["versionen"]
    assert version["nummer"] == 1
    assert version["dateiname"] == "Bescheid Müller.pdf"
    assert version["media_type"] == "application/pdf"
    assert version["size"] == len(content)
    assert version["sha256"] == hashlib.sha256(content).hexdigest()
    assert version["created_by"]["username"] == "clerk"
    assert AuditEvent.objects.filter(action="dokument.create", object_id=str(body["id"])).exists()


def test_the_server_decides_the_media_type(akten: AkteWorld) -> None:
    w = akten.w
    vorgang = vorgang_create(principal=as_(w.clerk), akte=akten.offen_32_1, betreff="x")
    client = api_client(w.clerk)
    url = f"/api/v1/vorgaenge/{vorgang.pk}/dokumente"
    fields = upload_fields(b"<script>alert(1)</script>", "x.pdf")
    fields["file"] = SimpleUploadedFile("notiz", b"<script>", content_type="text/html")
    unknown = client.post(url, fields).json()["versionen"][0]
    assert unknown["media_type"] == "application/octet-stream"  # not the client's text/html
    fields["file"] = SimpleUploadedFile("brief.odt", b"PK..", content_type="text/html")
    odt = client.post(url, fields).json()["versionen"][0]
    assert odt["media_type"] == "application/vnd.oasis.opendocument.text"


def test_hostile_file_names_are_reduced_to_a_name(akten: AkteWorld) -> None:
    w = akten.w
    vorgang = vorgang_create(principal=as_(w.clerk), akte=akten.offen_32_1, betreff="x")
    response = api_client(w.clerk).post(
        f"/api/v1/vorgaenge/{vorgang.pk}/dokumente",
        upload_fields(b"x", '../../x".pdf'),
    )
    assert response.status_code == 201, response.content
    assert response.json()["versionen"][0]["dateiname"] == 'x".pdf'


def test_invalid_metadata_is_422_and_stores_nothing(akten: AkteWorld) -> None:
    w = akten.w
    vorgang = vorgang_create(principal=as_(w.clerk), akte=akten.offen_32_1, betreff="x")
    client = api_client(w.clerk)
    url = f"/api/v1/vorgaenge/{vorgang.pk}/dokumente"
    blobs = Blob.objects.count()
    assert client.post(url, upload_fields(richtung="seitwärts")).status_code == 422
    assert client.post(url, upload_fields(dokumentdatum="gestern")).status_code == 422
    assert client.post(url, upload_fields(titel="a\x00b")).status_code == 422
    no_file = upload_fields()
    del no_file["file"]
    assert client.post(url, no_file).status_code == 422
    assert not Dokument.objects.exists()
    assert Blob.objects.count() == blobs


def test_upload_into_a_closed_akte_is_refused(akten: AkteWorld) -> None:
    w = akten.w
    case = case_file(akten, akten.offen_32_1)
    client = api_client(w.clerk)
    client.patch(
        f"/api/v1/vorgaenge/{case.vorgang.pk}",
        {"status": "erledigt"},
        content_type="application/json",
    )
    akte_close(principal=as_(w.clerk), akte=akten.offen_32_1)
    response = client.post(f"/api/v1/vorgaenge/{case.vorgang.pk}/dokumente", upload_fields())
    assert response.status_code == 400
    assert "is closed (zdA)" in response.json()["detail"]
    assert Dokument.objects.count() == 1


def test_versions(akten: AkteWorld) -> None:
    w = akten.w
    case = case_file(akten, akten.offen_32_1)
    client = api_client(w.clerk)
    url = f"/api/v1/dokumente/{case.dokument.pk}/versionen"
    no_reason = client.post(url, {"file": SimpleUploadedFile("v2.pdf", b"v2")})
    assert no_reason.status_code == 400
    assert no_reason.json()["detail"] == "Please say why there is a new version."
    second = client.post(
        url, {"file": SimpleUploadedFile("v2.pdf", b"v2"), "kommentar": "Korrektur"}
    )
    assert second.status_code == 201, second.content
    assert (second.json()["nummer"], second.json()["ist_aktuell"]) == (2, True)
    archive = client.post(
        url, {"file": SimpleUploadedFile("v2.pdf", b"%PDF-A"), "rendition": "archiv"}
    )
    assert archive.status_code == 201, archive.content
    assert (archive.json()["nummer"], archive.json()["rendition"]) == (2, "archiv")
    detail = client.get(f"/api/v1/dokumente/{case.dokument.pk}").json()
    assert [(v["nummer"], v["rendition"], v["ist_aktuell"]) for v in detail["versionen"]] == [
        (2, "archiv", True),
        (2, "original", True),
        (1, "original", False),
    ]
    listed = client.get(f"/api/v1/vorgaenge/{case.vorgang.pk}/dokumente").json()
    assert listed["count"] == 1
    assert listed["items"][0]["versionen"] == detail["versionen"]


def test_move_dokument(akten: AkteWorld) -> None:
    w = akten.w
    case = case_file(akten, akten.offen_32_1)
    target = vorgang_create(principal=as_(w.clerk), akte=akten.vertr_32_1, betreff="Ziel")
    client = api_client(w.clerk)
    url = f"/api/v1/dokumente/{case.dokument.pk}/move"
    moved = post_json(client, url, {"vorgang_id": target.pk})
    assert moved.status_code == 200, moved.content
    assert moved.json()["vorgang_id"] == target.pk
    again = post_json(client, url, {"vorgang_id": target.pk})
    assert again.json()["detail"] == "The Dokument is already in this Vorgang."


def test_move_dokument_into_a_closed_akte_changes_nothing(akten: AkteWorld) -> None:
    w = akten.w
    source = case_file(akten, akten.offen_32_1)
    closed = case_file(akten, akten.vertr_32_1)
    client = api_client(w.clerk)
    client.patch(
        f"/api/v1/vorgaenge/{closed.vorgang.pk}",
        {"status": "erledigt"},
        content_type="application/json",
    )
    assert client.post(f"/api/v1/akten/{akten.vertr_32_1.pk}/zda").status_code == 200
    response = post_json(
        client, f"/api/v1/dokumente/{source.dokument.pk}/move", {"vorgang_id": closed.vorgang.pk}
    )
    assert response.status_code == 400
    assert response.json()["detail"] == (
        f"The Akte {akten.vertr_32_1.aktenzeichen} is closed (zdA); reopen it first."
    )
    source.dokument.refresh_from_db()
    assert source.dokument.vorgang_id == source.vorgang.pk


# --- the size limit ---------------------------------------------------------------------------


def csrf_session(user: User) -> Client:
    """A browser that enforces CSRF, so that authentication reads the form before the view."""
    client = Client(HTTP_HOST=A_HOST, enforce_csrf_checks=True)
    token = client.get("/anmelden/").cookies[settings.CSRF_COOKIE_NAME].value
    client.post(
        "/anmelden/",
        {"username": user.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies[settings.CSRF_COOKIE_NAME].value
    return client


def test_upload_through_a_browser_session(akten: AkteWorld) -> None:
    vorgang = vorgang_create(principal=as_(akten.w.clerk), akte=akten.offen_32_1, betreff="x")
    client = csrf_session(akten.w.clerk)
    url = f"/api/v1/vorgaenge/{vorgang.pk}/dokumente"
    assert client.post(url, upload_fields()).status_code == 201
    del client.defaults["HTTP_X_CSRFTOKEN"]
    assert client.post(url, upload_fields()).json() == {"detail": "CSRF check failed."}
    assert Dokument.objects.count() == 1


@pytest.mark.parametrize("how", ["apikey", "session", "csrf_session"])
@pytest.mark.parametrize("size", [1001, 200_000])  # just over: cut while reading; far over: unread
@override_settings(AMTSFLUSS_MAX_UPLOAD_BYTES=1000, DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
def test_oversize_upload_is_413_and_stores_nothing(akten: AkteWorld, how: str, size: int) -> None:
    w = akten.w
    case = case_file(akten, akten.offen_32_1)
    client = {
        "apikey": lambda: api_client(w.clerk),
        "session": lambda: client_for(w.clerk, A_HOST),
        "csrf_session": lambda: csrf_session(w.clerk),
    }[how]()
    blobs, versions = Blob.objects.count(), Dokumentversion.objects.count()
    content = os.urandom(size)
    responses = [
        client.post(
            f"/api/v1/vorgaenge/{case.vorgang.pk}/dokumente", upload_fields(content, "gross.pdf")
        ),
        client.post(
            f"/api/v1/dokumente/{case.dokument.pk}/versionen",
            {"kommentar": "neu", "file": SimpleUploadedFile("gross.pdf", content)},
        ),
    ]
    for response in responses:
        assert response.status_code == 413, response.content
        assert response.json() == {
            "detail": "The file is larger than the limit of 1000\xa0bytes.",
            "code": "too_large",
        }
    assert Dokument.objects.count() == 1
    assert Dokumentversion.objects.count() == versions
    assert Blob.objects.count() == blobs
    assert not Blob.objects.filter(sha256=hashlib.sha256(content).hexdigest()).exists()


@override_settings(AMTSFLUSS_MAX_UPLOAD_BYTES=1000)
def test_upload_of_exactly_the_limit_is_accepted(akten: AkteWorld) -> None:
    w = akten.w
    vorgang = vorgang_create(principal=as_(w.clerk), akte=akten.offen_32_1, betreff="x")
    response = api_client(w.clerk).post(
        f"/api/v1/vorgaenge/{vorgang.pk}/dokumente", upload_fields(os.urandom(1000))
    )
    assert response.status_code == 201, response.content


@override_settings(AMTSFLUSS_MAX_UPLOAD_BYTES=1000)
def test_the_limit_message_is_translated(akten: AkteWorld) -> None:
    w = akten.w
    vorgang = vorgang_create(principal=as_(w.clerk), akte=akten.offen_32_1, betreff="x")
    response = api_client(w.clerk).post(
        f"/api/v1/vorgaenge/{vorgang.pk}/dokumente",
        upload_fields(os.urandom(1001)),
        headers={"Accept-Language": "de"},
    )
    assert response.status_code == 413
    assert response.json()["detail"] == "Die Datei ist größer als die Grenze von 1000\xa0Bytes."


def _multipart_file(path: Path, boundary: str, size: int) -> int:
    """Write a multipart body with the form fields and ``size`` random bytes as ``file``."""
    fields = upload_fields()
    del fields["file"]
    with path.open("wb") as body:
        for name, value in fields.items():
            body.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        body.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="gross.pdf"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
        )
        for _ in range(size // (1 << 20)):
            body.write(os.urandom(1 << 20))
        body.write(f"\r\n--{boundary}--\r\n".encode())
    return path.stat().st_size


def test_large_upload_is_not_held_in_memory(akten: AkteWorld, tmp_path: Path) -> None:
    """A 24 MiB upload, streamed from disk into the WSGI request: Python never holds much of it
    (Django spools it to a temporary file; the blob store copies it in 1 MiB chunks)."""
    w = akten.w
    vorgang = vorgang_create(principal=as_(w.clerk), akte=akten.offen_32_1, betreff="x")
    boundary = "amtsflussboundary"
    length = _multipart_file(tmp_path / "body", boundary, 24 << 20)
    client = Client(HTTP_HOST=A_HOST, HTTP_AUTHORIZATION=f"Bearer {new_key(w.clerk)[1]}")
    url = f"/api/v1/vorgaenge/{vorgang.pk}/dokumente"
    assert client.post(url, upload_fields()).status_code == 201  # imports and caches warmed up
    with (tmp_path / "body").open("rb") as body:
        tracemalloc.start()
        try:
            environ: dict[str, Any] = {
                "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
                "CONTENT_LENGTH": str(length),
                "wsgi.input": body,  # read by Django as the request streams in
            }
            response = client.generic("POST", url, **environ)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert response.status_code == 201, response.content
    assert response.json()["versionen"][0]["size"] == 24 << 20
    # measured: about 2 MiB (the 1 MiB copy buffer and the parser's chunks)
    assert peak < (24 << 20) // 4, f"peak {peak / (1 << 20):.1f} MiB"
