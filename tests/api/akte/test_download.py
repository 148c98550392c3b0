"""Downloads: the right bytes as an attachment with safe headers, audited — and never the
wrong bytes: a blob whose file was changed under the blob store is refused or aborted."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponseBase, StreamingHttpResponse
from pytest_django import Settings

from amtsfluss.akte.models import Dokumentversion
from amtsfluss.akte.services.vorgang import vorgang_create
from amtsfluss.core.blobs import BlobIntegrityError, get_blob_store
from amtsfluss.core.blobs.filesystem import FilesystemBlobStore
from amtsfluss.core.models import AuditEvent
from tests.api.akte.conftest import AkteWorld, as_, case_file, upload_fields
from tests.api.conftest import api_client

MiB = 1 << 20


@pytest.fixture(autouse=True)
def _own_blob_store(settings: Settings, tmp_path: Path) -> None:
    """A blob directory per test: the tests below damage stored files."""
    settings.AMTSFLUSS_BLOBS = {**settings.AMTSFLUSS_BLOBS, "DIRECTORY": str(tmp_path / "blobs")}


def upload(akten: AkteWorld, content: bytes, name: str = "antrag.pdf") -> Dokumentversion:
    w = akten.w
    vorgang = vorgang_create(principal=as_(w.clerk), akte=akten.offen_32_1, betreff="x")
    response = api_client(w.clerk).post(
        f"/api/v1/vorgaenge/{vorgang.pk}/dokumente", upload_fields(content, name)
    )
    assert response.status_code == 201, response.content
    return Dokumentversion.objects.select_related("blob").get(
        pk=response.json()["versionen"][0]["id"]
    )


def damage(version: Dokumentversion, *, at: int) -> None:
    """Flip one byte of the stored file (blob files are read-only: make it writable first)."""
    store = get_blob_store()
    assert isinstance(store, FilesystemBlobStore)
    path = store.path(version.blob.sha256)
    path.chmod(0o644)
    with path.open("r+b") as stored:
        stored.seek(at)
        byte = stored.read(1)
        stored.seek(at)
        stored.write(bytes([byte[0] ^ 0xFF]))


def chunks(response: HttpResponseBase) -> Iterator[bytes]:
    assert isinstance(response, StreamingHttpResponse)
    return iter(response.streaming_content)  # type: ignore[arg-type]


def url(version: Dokumentversion) -> str:
    return f"/api/v1/dokumentversionen/{version.pk}/download"


def test_download_delivers_the_bytes_as_an_attachment(akten: AkteWorld) -> None:
    content = b"%PDF-1.7\n" + os.urandom(3 * MiB)  # several chunks
    version = upload(akten, content, "Bescheid für Müller.pdf")
    response = api_client(akten.w.clerk).get(url(version))
    assert response.status_code == 200
    assert response.streaming
    assert b"".join(chunks(response)) == content
    assert response["Content-Length"] == str(len(content))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="Bescheid fuer Mueller.pdf"; '
        "filename*=UTF-8''Bescheid%20f%C3%BCr%20M%C3%BCller.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    [event] = AuditEvent.objects.filter(action="dokument.download")
    assert (event.actor_id, event.outcome, event.object_id) == (
        akten.w.clerk.pk,
        "success",
        str(version.dokument_id),
    )
    assert event.details["version"] == version.pk
    assert event.details["sha256"] == version.blob.sha256


def test_empty_file(akten: AkteWorld) -> None:
    version = upload(akten, b"", "leer.txt")
    response = api_client(akten.w.clerk).get(url(version))
    assert response.status_code == 200
    assert b"".join(chunks(response)) == b""
    assert response["Content-Length"] == "0"


@pytest.mark.parametrize(
    "stored, ascii_name, utf8_name",
    [
        ('../../x".pdf', "x_.pdf", "x%22.pdf"),
        ("..\\..\\boot.ini", "boot.ini", "boot.ini"),
        (
            'a"\r\nSet-Cookie: s=1;.pdf',
            "a_Set-Cookie_ s_1_.pdf",
            "a%22Set-Cookie%3A%20s%3D1%3B.pdf",
        ),
        ("Straße ½ 日本.txt", "Strasse 1_2 _.txt", "Stra%C3%9Fe%20%C2%BD%20%E6%97%A5%E6%9C%AC.txt"),
        ("E\u0301lyse\u0301e.pdf", "Elysee.pdf", "%C3%89lys%C3%A9e.pdf"),  # NFD → NFC
        ("...", "download", "download"),
    ],
)
def test_hostile_names_become_safe_attachment_names(
    akten: AkteWorld, stored: str, ascii_name: str, utf8_name: str
) -> None:
    # stored names were already cleaned by the service; the download does not rely on that
    version = upload(akten, b"x")
    Dokumentversion.objects.filter(pk=version.pk).update(dateiname=stored)
    response = api_client(akten.w.clerk).get(url(version))
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{utf8_name}"
    )
    assert not response.has_header("Set-Cookie")


@pytest.mark.parametrize(
    "stored, served",
    [
        ("text/html", "text/html"),  # an attachment with nosniff: downloaded, not rendered
        ("text/html\r\nX-Injected: 1", "application/octet-stream"),
        ("text/html; charset=utf-8", "application/octet-stream"),
        ("", "application/octet-stream"),
    ],
)
def test_media_type(akten: AkteWorld, stored: str, served: str) -> None:
    version = upload(akten, b"<b>x</b>")
    Dokumentversion.objects.filter(pk=version.pk).update(media_type=stored)
    response = api_client(akten.w.clerk).get(url(version))
    assert response["Content-Type"] == served
    assert not response.has_header("X-Injected")


def test_confidential_download_is_audited_as_a_read(akten: AkteWorld) -> None:
    case = case_file(akten, akten.vertr_32_1)
    response = api_client(akten.w.head).get(url(case.version))
    assert response.status_code == 200
    assert b"".join(chunks(response)) == case.content
    actions = set(
        AuditEvent.objects.filter(actor_id=akten.w.head.pk).values_list("action", flat=True)
    )
    assert {"akte.dokumentversion.read_confidential", "dokument.download"} <= actions


def test_damaged_small_file_is_refused_before_any_byte(
    akten: AkteWorld, caplog: pytest.LogCaptureFixture
) -> None:
    content = b"Bescheid: 1000 EUR Gebuehr"
    version = upload(akten, content)
    damage(version, at=10)
    with caplog.at_level(logging.ERROR, logger="amtsfluss.api.downloads"):
        response = api_client(akten.w.clerk).get(url(version))
    assert response.status_code == 500
    assert response.json() == {
        "detail": "The stored file failed its integrity check and was not delivered. "
        "Please inform the IT operators.",
        "code": "blob_unreadable",
    }
    assert b"Bescheid" not in response.content
    assert "integrity" in caplog.text
    [event] = AuditEvent.objects.filter(action="dokument.download")
    assert (event.outcome, event.details["reason"]) == ("failure", "integrity")


@pytest.mark.parametrize("at", [0, 3 * MiB - 1])  # first byte, last byte
def test_damaged_large_file_aborts_the_transfer(
    akten: AkteWorld, caplog: pytest.LogCaptureFixture, at: int
) -> None:
    content = os.urandom(3 * MiB)
    version = upload(akten, content)
    damage(version, at=at)
    response = api_client(akten.w.clerk).get(url(version))
    assert response.status_code == 200  # the check ends with the last byte: headers went out
    delivered = 0
    with (
        caplog.at_level(logging.ERROR, logger="amtsfluss.api.downloads"),
        pytest.raises(BlobIntegrityError),
    ):
        for chunk in chunks(response):
            delivered += len(chunk)
    # the last chunk is held back until the hash matched: the client never holds a whole file
    assert delivered < int(response["Content-Length"]) == len(content)
    assert "integrity" in caplog.text
    outcomes = AuditEvent.objects.filter(action="dokument.download").order_by("seq")
    assert list(outcomes.values_list("outcome", flat=True)) == ["success", "failure"]


def test_missing_file_is_refused(akten: AkteWorld) -> None:
    version = upload(akten, b"weg")
    store = get_blob_store()
    assert isinstance(store, FilesystemBlobStore)
    store.path(version.blob.sha256).unlink()
    response = api_client(akten.w.clerk).get(url(version))
    assert response.status_code == 500
    assert response.json()["code"] == "blob_unreadable"
    [event] = AuditEvent.objects.filter(action="dokument.download")
    assert (event.outcome, event.details["reason"]) == ("failure", "missing")


def test_a_new_version_is_downloaded_as_uploaded(akten: AkteWorld) -> None:
    case = case_file(akten, akten.offen_32_1)
    client = api_client(akten.w.clerk)
    added = client.post(
        f"/api/v1/dokumente/{case.dokument.pk}/versionen",
        {"file": SimpleUploadedFile("v2.odt", b"zweite Fassung"), "kommentar": "Korrektur"},
    ).json()
    response = client.get(f"/api/v1/dokumentversionen/{added['id']}/download")
    assert b"".join(chunks(response)) == b"zweite Fassung"
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.text"
