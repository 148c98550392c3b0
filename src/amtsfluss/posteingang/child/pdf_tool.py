"""Child process: read an untrusted PDF (from stdin) under resource limits set by the parent.

Run only through :mod:`amtsfluss.posteingang.pdf`, forked by the zygote (``zygote.py``) with
the limits set, as ``main(["pdf_tool.py", MODE])``.
It imports only the standard library and the PDF libraries, and answers on stdout with one JSON
line, followed by a binary payload in mode ``render``. Modes:

``probe``   ``{"status": "ok", "pages": n}`` | ``encrypted`` | ``broken`` (``error``)
``text``    ``{"status": "ok", "pages": [chars per page], "size": n}`` + the UTF-8 text
``render``  ``{"status": "ok", "pages": n, "blank": [page numbers], "size": n}`` + page 1 PNG
``text_render MIN``  as ``text``; when every page has at least MIN characters (no OCR will
            follow) also ``"render": {"pages", "blank", "size"}`` with the PNG after the text —
            one run instead of two for a born-digital PDF (left out if rendering fails)
``many MODE [ARGS]``  MODE for each of several PDFs of one hand-in: stdin is a sequence of
            frames (8-byte big-endian length, then the PDF), stdout the answers one after the
            other, each exactly as MODE alone writes it — one fork for a few small files
"""

from __future__ import annotations

import io
import json
import struct
import sys
from collections.abc import Iterator
from typing import Any

#: imported once by the zygote (``zygote.py``), so that a run costs a fork, not these imports
PRELOAD = ("pypdfium2", "pypdfium2.raw", "PIL.Image")
MAX_TEXT_CHARS = 5_000_000
THUMBNAIL_WIDTH = 300
MAX_RENDERED_PAGES = 200  # blank-page detection looks at the first pages only


def answer(status: str, payload: bytes = b"", **details: Any) -> None:
    sys.stdout.buffer.write(json.dumps({"status": status, **details}).encode() + b"\n" + payload)
    sys.stdout.buffer.flush()


def probe(data: bytes) -> None:
    """Encrypted (also with an owner password only), unreadable, or its page count.
    PDFium (C) starts faster than pypdf and repairs less silently."""
    import pypdfium2  # type: ignore[import-untyped]
    import pypdfium2.raw as pdfium  # type: ignore[import-untyped]

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        answer("encrypted" if "password" in str(exc).lower() else "broken", error="load")
        return
    if pdfium.FPDF_GetSecurityHandlerRevision(document.raw) != -1:
        answer("encrypted")
        return
    pages = len(document)
    if pages == 0:
        answer("broken", error="no pages")
        return
    document[0].get_textpage()  # parse the first page's content: a broken stream raises here
    answer("ok", pages=pages)


def text(data: bytes) -> None:
    payload, per_page = _text_layer(_open(data))
    answer("ok", payload, pages=per_page, size=len(payload))


def _open(data: bytes) -> Any:
    import pypdfium2

    return pypdfium2.PdfDocument(data)


#: what PDFium puts into a page's text besides the text, dropped: CR before each line break,
#: 0x02 for a hyphen that ends a line together with that line break (so "Verwal-⏎tung" becomes
#: "Verwaltung"), other control characters and non-characters for unmapped glyphs
_UNPRINTABLE = dict.fromkeys([*range(0, 9), 11, 13, *range(14, 32), 0xFFFE, 0xFFFF])


def _text_layer(document: Any) -> tuple[bytes, list[int]]:
    """The text of every page, pages separated by form feeds, and each page's character count
    (stripped): PDFium's text extraction (C) — a fraction of a pure-Python layout analysis's
    time, in the reading order of the content stream."""
    parts: list[str] = []
    per_page: list[int] = []
    total = 0
    for number in range(len(document)):
        page_text = document[number].get_textpage().get_text_bounded().translate(_UNPRINTABLE)
        per_page.append(len(page_text.strip()))
        parts.append(page_text)
        total += len(page_text)
        if total > MAX_TEXT_CHARS:
            break
    payload = "\f".join(parts)[:MAX_TEXT_CHARS].encode("utf-8", "replace")
    return payload, per_page


def _is_blank(image: Any) -> bool:
    """Nearly all pixels light and almost no variation: an empty sheet (or a faint speck)."""
    gray = image.convert("L")
    histogram = gray.histogram()
    total = sum(histogram) or 1
    dark = sum(histogram[:200])
    return bool(dark / total < 0.002)


def render(data: bytes) -> None:
    thumbnail, pages, blank = _render(_open(data))
    answer("ok", thumbnail, pages=pages, blank=blank, size=len(thumbnail))


def text_render(data: bytes, min_chars: int) -> None:
    document = _open(data)
    payload, per_page = _text_layer(document)
    details: dict[str, Any] = {"pages": per_page, "size": len(payload)}
    if per_page and min(per_page) >= min_chars:
        try:
            thumbnail, pages, blank = _render(document)
        except Exception:  # the render step then runs alone and says why
            thumbnail = b""
        else:
            details["render"] = {"pages": pages, "blank": blank, "size": len(thumbnail)}
            payload += thumbnail
    answer("ok", payload, **details)


def _render(document: Any) -> tuple[bytes, int, list[int]]:
    pages = len(document)
    blank: list[int] = []
    thumbnail = b""
    for number in range(min(pages, MAX_RENDERED_PAGES)):
        page = document[number]
        width = page.get_width() or 1
        image = page.render(scale=THUMBNAIL_WIDTH / width).to_pil()
        if _is_blank(image):
            blank.append(number + 1)
        if number == 0:
            buffer = io.BytesIO()
            # zlib level 1: about half the default level's time, for a thumbnail ~30 % larger
            image.convert("RGB").save(buffer, format="PNG", compress_level=1)
            thumbnail = buffer.getvalue()
    return thumbnail, pages, blank


MODES: dict[str, Any] = {"probe": probe, "text": text, "render": render}


def warm_up(sample: bytes) -> None:
    """Run once by the zygote, on a PDF of our own (never a received one). The libraries load
    their tables, fonts and image plugins on first use; done in the zygote, every forked child
    inherits them instead of loading them again — a child run then takes about half as long."""
    document = _open(sample)
    _text_layer(document)
    _render(document)


def main(argv: list[str]) -> int:
    data = sys.stdin.buffer.read()
    if argv[1] == "many":
        for one in frames(data):
            _answer_one(argv[2:], one)
    else:
        _answer_one(argv[1:], data)
    return 0


#: the length prefix of a frame in mode ``many``
FRAME = struct.Struct("!Q")


def frames(data: bytes) -> Iterator[bytes]:
    """The PDFs of a ``many`` request; a frame that claims more than is left ends the list."""
    view = memoryview(data)
    while len(view) >= FRAME.size:
        (size,) = FRAME.unpack(view[: FRAME.size])
        if size > len(view) - FRAME.size:
            return
        yield bytes(view[FRAME.size : FRAME.size + size])
        view = view[FRAME.size + size :]


def _answer_one(argv: list[str], data: bytes) -> None:
    """Run mode ``argv[0]`` on one PDF and answer for it, also when the PDF breaks the tool."""
    try:
        if argv[0] == "text_render":
            text_render(data, int(argv[1]))
        else:
            MODES[argv[0]](data)
    except MemoryError:
        answer("limit", what="MemoryError")
    except RecursionError:
        answer("limit", what="RecursionError")
    except Exception as exc:  # the PDF libraries raise many kinds on broken input
        message = str(exc).lower()
        if "password" in message or "encrypt" in message:
            answer("encrypted")
        else:
            answer("broken", error=type(exc).__name__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
