"""The parent side of ``child/pdf_tool.py``: probe, text layer and page images of a PDF."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from amtsfluss.posteingang.sandbox import MIB, Limits
from amtsfluss.posteingang.zygote import run_tool

PDF_LIMITS = Limits(memory_bytes=768 * MIB, cpu_seconds=20, wall_seconds=40.0)
#: a page with fewer recognisable characters than this counts as "no text layer"
MIN_CHARS_PER_PAGE = 20


@dataclass(frozen=True)
class PdfAnswer:
    status: str  # ok | encrypted | broken | limit
    details: dict[str, Any] = field(default_factory=dict)
    payload: bytes = b""


def ask(
    mode: str, data: bytes, limits: Limits = PDF_LIMITS, *, argv: list[str] | None = None
) -> PdfAnswer:
    """Run the PDF child in ``mode`` on ``data``; a child killed by a limit answers ``limit``."""
    outcome = run_tool("pdf_tool", mode, *(argv or []), limits=limits, stdin=data)
    header, _newline, payload = outcome.stdout.partition(b"\n")
    try:
        details = json.loads(header)
        status = str(details.pop("status"))
    except (ValueError, KeyError, TypeError, AttributeError):
        return PdfAnswer("limit" if outcome.killed_by_limit else "broken")
    if "size" in details and len(payload) != _payload_size(details):
        return PdfAnswer("broken")
    return PdfAnswer(status, details, payload)


def _payload_size(details: dict[str, Any]) -> int:
    """The declared payload: the text, plus the PNG after it in mode ``text_render``."""
    render = details.get("render")
    extra = render.get("size", 0) if isinstance(render, dict) else 0
    size = details["size"]
    if not isinstance(size, int) or not isinstance(extra, int):
        return -1
    return size + extra


@dataclass(frozen=True)
class TextLayer:
    text: str
    chars_per_page: list[int]

    @property
    def is_complete(self) -> bool:
        """Every page carries text: no OCR needed."""
        return bool(self.chars_per_page) and min(self.chars_per_page) >= MIN_CHARS_PER_PAGE


def text_layer(data: bytes) -> TextLayer | PdfAnswer:
    answer = ask("text", data)
    if answer.status != "ok":
        return answer
    return TextLayer(answer.payload.decode("utf-8", "replace"), list(answer.details["pages"]))


@dataclass(frozen=True)
class Rendered:
    """Page 1 as PNG, the page count and the blank pages."""

    png: bytes
    pages: int
    blank_pages: list[int]


def text_layer_and_preview(data: bytes) -> tuple[TextLayer | PdfAnswer, Rendered | None]:
    """The text layer and, when it is complete (no OCR will follow), the preview — one child
    run instead of two. The preview is None when the layer is incomplete or rendering failed."""
    answer = ask("text_render", data, argv=[str(MIN_CHARS_PER_PAGE)])
    if answer.status != "ok":
        return answer, None
    text_size = int(answer.details["size"])
    layer = TextLayer(
        answer.payload[:text_size].decode("utf-8", "replace"), list(answer.details["pages"])
    )
    render = answer.details.get("render")
    if not isinstance(render, dict):
        return layer, None
    png = answer.payload[text_size:]
    if len(png) != render.get("size") or not png:
        return layer, None
    return layer, Rendered(png, int(render["pages"]), [int(n) for n in render["blank"]])
