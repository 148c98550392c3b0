"""Hostile uploads on the page: each file gets a clear answer, the rest of the batch goes on,
nothing oversized is read, and no file name reaches a header or a path as it was sent."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.test import Client
from django.utils import translation
from pytest_django import Settings

from amtsfluss.rechnung.models import Rechnung, RechnungStatus
from tests.conftest import client_for
from tests.rechnung.pages.conftest import A_HOST, german, invoice
from tests.rechnung.rechnung_world import RechnungWorld

DOCTYPE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&xxe;</Invoice>'
)
#: Large enough for the readable PDF the E-Akte files with each invoice (the same limit applies).
LIMIT = 1_000_000
BROKEN_PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer garbage"


def too_large() -> str:
    with translation.override("de"):
        return german("The file is larger than the limit of %s.") % filesizeformat(LIMIT)


def _file(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _upload(client: Client, *files: SimpleUploadedFile) -> tuple[int, str]:
    response = client.post("/intern/rechnungen/hochladen/", {"dateien": list(files)})
    return response.status_code, response.content.decode()


def test_a_batch_with_hostile_files_reports_each_one(rw: RechnungWorld) -> None:
    clerk = client_for(rw.w.clerk, A_HOST)
    status, html = _upload(
        clerk,
        _file("leer.xml", b""),
        _file("xxe.xml", DOCTYPE),
        _file("kaputt.pdf", BROKEN_PDF),
        _file("gut.xml", invoice("OK-1")),
    )
    assert status == 200
    assert german("The file is empty.") in html
    rows = {r.dateiname: r for r in Rechnung.objects.all()}
    assert set(rows) == {"xxe.xml", "kaputt.pdf", "gut.xml"}  # the empty one is not registered
    assert rows["xxe.xml"].status == RechnungStatus.ABGEWIESEN
    assert rows["kaputt.pdf"].status == RechnungStatus.ABGEWIESEN
    assert rows["gut.xml"].status == RechnungStatus.EINGEGANGEN
    for name in ("xxe.xml", "kaputt.pdf"):
        reason = rows[name].findings[0]["message"]
        assert reason and reason in html  # the reason is shown with the file
    assert "DOCTYPE" in rows["xxe.xml"].findings[0]["message"]
    assert "root:" not in html  # nothing of /etc/passwd


def test_no_file_chosen(rw: RechnungWorld) -> None:
    status, html = _upload(client_for(rw.w.clerk, A_HOST))
    assert status == 400
    assert german("Please choose at least one file.") in html


def test_a_file_over_the_limit_is_discarded_with_a_message(
    rw: RechnungWorld, settings: Settings
) -> None:
    settings.AMTSFLUSS_MAX_UPLOAD_BYTES = LIMIT
    clerk = client_for(rw.w.clerk, A_HOST)
    status, html = _upload(
        clerk, _file("erst.xml", invoice("OK-2")), _file("riesig.xml", b"<" * (LIMIT + 1))
    )
    assert status == 413
    assert "riesig.xml" in html
    assert too_large() in html
    assert list(Rechnung.objects.values_list("dateiname", flat=True)) == ["erst.xml"]


def test_a_body_declared_far_too_large_is_not_read(rw: RechnungWorld, settings: Settings) -> None:
    settings.AMTSFLUSS_MAX_UPLOAD_BYTES = LIMIT
    clerk = client_for(rw.w.clerk, A_HOST)
    response = clerk.generic(
        "POST",
        "/intern/rechnungen/hochladen/",
        b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(500 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert too_large() in (response.content.decode())
    assert not Rechnung.objects.exists()


def test_file_names_are_tamed(rw: RechnungWorld) -> None:
    """Path parts and control characters go; what remains is escaped on the page and reaches
    the download header only in its safe form."""
    clerk = client_for(rw.w.clerk, A_HOST)
    hostile = "../../etc/pass\x07wd\x1b <i>Ärger;.xml"
    status, html = _upload(clerk, _file(hostile, invoice("N-1")))
    assert status == 200
    rechnung = Rechnung.objects.get()
    assert rechnung.dateiname == "passwd <i>Ärger;.xml"
    assert "passwd &lt;i&gt;Ärger;.xml" in html and "<i>Ärger" not in html
    download = clerk.get(f"/intern/rechnungen/{rechnung.pk}/original")
    disposition = download["Content-Disposition"]
    assert disposition.startswith('attachment; filename="passwd _i_Aerger_.xml"')
    assert "/" not in disposition.split("filename*=")[0] and ".." not in disposition
