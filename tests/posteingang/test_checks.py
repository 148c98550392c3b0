"""Hostile and harmless files through the checks: each refusal has a clear reason, and a
refused file does not stop the rest of its batch."""

from __future__ import annotations

import pytest

from amtsfluss.posteingang.checks import MAX_IMAGE_FRAMES, check_file
from amtsfluss.posteingang.models import EingangStatus
from tests.posteingang import files
from tests.posteingang.conftest import Post

pytestmark = pytest.mark.django_db

LETTER = "Sehr geehrte Damen und Herren, anbei unser Antrag auf Sondernutzung."


@pytest.mark.parametrize(
    ("name", "make", "media_type"),
    [
        ("brief.pdf", lambda: files.text_pdf(LETTER), "application/pdf"),
        ("scan.png", lambda: files.scan_png("Bürgerbüro"), "image/png"),
        (
            "antrag.docx",
            lambda: files.docx(LETTER),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("antrag.odt", lambda: files.odt(LETTER), "application/vnd.oasis.opendocument.text"),
        ("notiz.txt", lambda: LETTER.encode(), "text/plain"),
    ],
)
def test_allowed_files_pass_with_their_type(name: str, make: object, media_type: str) -> None:
    befund = check_file(make(), name)  # type: ignore[operator]
    assert befund.accepted, befund.reason
    assert befund.media_type == media_type


@pytest.mark.parametrize(
    ("name", "make", "code", "words"),
    [
        ("bombe.docx", files.zip_bomb_docx, "zip_bomb", "zip bomb"),
        ("slip.docx", files.zip_slip_docx, "zip_slip", "path leading outside"),
        ("rechnung.docx", lambda: files.text_pdf(LETTER), "extension", "does not match"),
        ("foto.pdf", lambda: files.scan_png("x"), "extension", "does not match"),
        ("geheim.pdf", files.encrypted_pdf, "encrypted", "encrypted"),
        ("gesperrt.pdf", lambda: files.encrypted_pdf(""), "encrypted", "encrypted"),
        ("kaputt.pdf", files.broken_pdf, "broken", "damaged"),
        ("riesig.png", files.png_bomb, "image_bomb", "too large"),
        ("zwitter.pdf", files.polyglot_pdf_zip, "polyglot", "ZIP archive"),
        ("programm.exe", lambda: b"MZ\x90\x00" + bytes(300), "type", "not accepted"),
        ("leer.pdf", lambda: b"", "empty", "empty"),
    ],
)
def test_hostile_files_are_refused_with_a_reason(
    name: str, make: object, code: str, words: str, english: None
) -> None:
    befund = check_file(make(), name)  # type: ignore[operator]
    assert not befund.accepted
    assert befund.code == code, befund.reason
    assert words in befund.reason


def test_a_tiff_of_many_pages_is_refused_without_counting_them_all(
    english: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PIL import TiffImagePlugin

    def counted(self: TiffImagePlugin.TiffImageFile) -> int:
        if self._n_frames is None:  # not yet known: counting walks every page
            raise AssertionError("n_frames walks every page (quadratic in their number)")
        return self._n_frames

    monkeypatch.setattr(TiffImagePlugin.TiffImageFile, "n_frames", property(counted))
    assert check_file(files.tiff_pages(MAX_IMAGE_FRAMES), "akte.tif").accepted
    for pages in (MAX_IMAGE_FRAMES + 1, 40_000):  # 4 MB of empty pages
        befund = check_file(files.tiff_pages(pages), "akte.tif")
        assert (befund.accepted, befund.code) == (False, "image_bomb")
        assert f"more than {MAX_IMAGE_FRAMES} pages" in befund.reason


def test_a_zip_member_lying_about_its_size_is_refused(english: None) -> None:
    bomb = bytearray(files.zip_bomb_docx(megabytes=50))
    # the central directory says 50 MiB; claim 1 KiB there and in the local header
    data = bytes(bomb).replace(
        (50 * 1024 * 1024).to_bytes(4, "little"), (1024).to_bytes(4, "little")
    )
    befund = check_file(data, "luege.docx")
    assert not befund.accepted and befund.code in {"zip_bomb", "broken"}


def test_oversize_file_is_refused_and_not_kept(post: Post, settings: object) -> None:
    settings.AMTSFLUSS_MAX_UPLOAD_BYTES = 1000  # type: ignore[attr-defined]
    sendung = post.receive(("gross.pdf", files.text_pdf(LETTER * 20) + b" " * 2000))
    [eingang] = sendung.eingaenge.all()
    assert eingang.status == EingangStatus.ABGEWIESEN
    assert "größer als die Grenze" in eingang.grund  # stored: German, also for English users
    assert eingang.original is None and len(eingang.sha256) == 64


def test_a_refused_file_does_not_stop_the_batch(post: Post) -> None:
    sendung = post.receive(
        ("erstens.pdf", files.text_pdf(LETTER)),
        ("bombe.docx", files.zip_bomb_docx()),
        ("drittens.txt", LETTER.encode()),
    )
    states = list(sendung.eingaenge.order_by("position").values_list("status", "grund"))
    assert [state for state, _ in states] == [
        EingangStatus.GEPRUEFT,
        EingangStatus.ABGEWIESEN,
        EingangStatus.GEPRUEFT,
    ]
    assert "Zip-Bombe" in states[1][1]
    done = post.process(sendung)
    assert [e.status for e in done] == ["bereit", "abgewiesen", "bereit"]
    assert done[0].dokument is not None and done[2].dokument is not None
    assert done[0].dokument.vorgang_id == done[2].dokument.vorgang_id
