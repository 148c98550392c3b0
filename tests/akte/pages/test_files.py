"""Files on the pages: downloads are attachments with safe names; only PDFs are shown inline,
in a sandbox that only this site may frame; every delivery is audited."""

from __future__ import annotations

import io
from typing import Any

from django.http import StreamingHttpResponse
from django.test import Client

from amtsfluss.akte.services.dokument import dokument_create
from amtsfluss.core.blobs import get_blob_store
from amtsfluss.core.blobs.filesystem import FilesystemBlobStore
from amtsfluss.core.models import AuditEvent
from tests.akte.conftest import AkteWorld, as_
from tests.akte.pages.conftest import PDF, Case, german


def body(response: Any) -> bytes:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)  # type: ignore[arg-type]


def test_download_is_an_attachment_with_a_safe_name(case: Case, clerk: Client) -> None:
    response = clerk.get(f"/intern/dokumentversionen/{case.pdf.pk}/download")
    assert response.status_code == 200
    assert body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"Antrag Baeckerei.pdf\"; filename*=UTF-8''Antrag%20B%C3%A4ckerei.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Length"] == str(len(PDF))
    event = AuditEvent.objects.filter(action="dokument.download").latest("seq")
    assert event.details["version"] == case.pdf.pk


def test_hostile_file_names_are_tamed(akten: AkteWorld, case: Case, clerk: Client) -> None:
    dokument = dokument_create(
        principal=as_(akten.w.clerk),
        vorgang=case.vorgang,
        titel="x",
        dokumentdatum=case.pdf_dokument.dokumentdatum,
        richtung="eingang",
        dokumenttyp="sonstiges",
        content=io.BytesIO(b"<script>alert(1)</script>"),
        dateiname='..\\..\\evil"\r\nX-Injected: 1.html',
        media_type="text/html",
    )
    version = dokument.versionen.get()
    download = clerk.get(f"/intern/dokumentversionen/{version.pk}/download")
    disposition = download["Content-Disposition"]
    assert disposition.startswith('attachment; filename="evil_X-Injected_ 1.html"')
    assert "\r" not in disposition and "\n" not in disposition and ".." not in disposition
    assert "X-Injected" not in download.headers
    view = clerk.get(f"/intern/dokumentversionen/{version.pk}/ansicht")
    assert view.status_code == 302  # HTML is never shown inline
    assert view["Location"] == f"/intern/dokumentversionen/{version.pk}/download"


def test_pdf_is_shown_inline_in_a_sandbox_framed_by_this_site_only(
    case: Case, clerk: Client
) -> None:
    response = clerk.get(f"/intern/dokumentversionen/{case.pdf.pk}/ansicht")
    assert response.status_code == 200
    assert body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "inline; filename=\"Antrag Baeckerei.pdf\"; filename*=UTF-8''Antrag%20B%C3%A4ckerei.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    policy = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    assert "sandbox" in policy
    assert "frame-ancestors 'self'" in policy
    assert "default-src 'none'" in policy
    assert response["Cache-Control"] == "no-store"
    assert (
        AuditEvent.objects.filter(action="dokument.download").latest("seq").details["version"]
        == case.pdf.pk
    )


def test_other_versions_are_never_inline(case: Case, clerk: Client) -> None:
    response = clerk.get(f"/intern/dokumentversionen/{case.text.pk}/ansicht")
    assert response.status_code == 302
    assert response["Location"] == f"/intern/dokumentversionen/{case.text.pk}/download"
    download = clerk.get(response["Location"])
    assert download["Content-Disposition"].startswith('attachment; filename="vermerk.txt"')
    assert download["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in download["Content-Security-Policy"]


def test_the_pages_keep_the_site_policy_and_may_frame_their_own_pdf(
    case: Case, clerk: Client
) -> None:
    response = clerk.get(f"/intern/vorgaenge/{case.vorgang.pk}/")
    assert response["X-Frame-Options"] == "DENY"
    policy = {
        directive.split()[0]: directive.split()[1:]
        for directive in response["Content-Security-Policy"].split(";")
    }
    assert policy["frame-ancestors"] == ["'none'"]
    # frames fall back to default-src unless frame-src (or child-src) says otherwise
    frames = policy.get("frame-src") or policy.get("child-src") or policy["default-src"]
    assert "'self'" in frames
    html = response.content.decode()
    assert " style=" not in html and "<style" not in html
    assert html.count("<script") == html.count('<script src="/static/') == 1


def test_a_damaged_file_is_refused_with_a_page(case: Case, clerk: Client) -> None:
    """The blob store checks the bytes; a damaged file is never delivered, the page says so."""
    store = get_blob_store()
    assert isinstance(store, FilesystemBlobStore)
    path = store.path(case.pdf.blob.sha256)
    mode = path.stat().st_mode
    path.chmod(0o644)
    path.write_bytes(PDF.replace(b"Gewerbeanmeldung", b"Gewerbeabmeldung"))
    try:
        for view in ("download", "ansicht"):
            response = clerk.get(f"/intern/dokumentversionen/{case.pdf.pk}/{view}")
            assert response.status_code == 500, view
            assert response["Content-Type"] == "text/html; charset=utf-8"
            assert german("The file was not delivered") in response.content.decode()
            assert b"Gewerbeabmeldung" not in response.content
    finally:  # the same bytes are stored once for every test of the session
        path.write_bytes(PDF)
        path.chmod(mode)
