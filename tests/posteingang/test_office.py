"""Office documents → PDF with real LibreOffice: what a received document links to is never
fetched (server-side request forgery, read receipts), and its text still arrives."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import pypdfium2
import pytest

from amtsfluss.posteingang import media
from amtsfluss.posteingang.checks import check_file
from amtsfluss.posteingang.steps.office import office_to_pdf
from tests.posteingang import files


@pytest.fixture
def listener() -> Iterator[tuple[str, list[bytes]]]:
    """An HTTP address on this machine that records every request made to it."""
    requests: list[bytes] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)

    def accept() -> None:
        while True:
            try:
                connection, _address = server.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(2.0)
                try:
                    requests.append(connection.recv(1024))
                except OSError:
                    requests.append(b"")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}", requests
    finally:
        server.close()
        thread.join(timeout=5)


@pytest.mark.parametrize(
    ("name", "make", "media_type"),
    [
        ("brief.odt", files.odt_linking, media.ODT),
        ("brief.docx", files.docx_linking, media.DOCX),
    ],
)
def test_a_linked_picture_is_not_fetched_and_the_text_arrives(
    listener: tuple[str, list[bytes]], name: str, make: Callable[[str], bytes], media_type: str
) -> None:
    address, requests = listener
    data = make(f"{address}/bild.png")
    assert check_file(data, name).media_type == media_type  # it passes the checks …
    pdf = office_to_pdf(data, media_type)  # … and is converted
    page = pypdfium2.PdfDocument(pdf)[0]
    assert "Brief mit Bild" in page.get_textpage().get_text_bounded()
    assert requests == []  # nobody asked the address the document named
