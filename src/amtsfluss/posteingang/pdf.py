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


def ask(mode: str, data: bytes, limits: Limits = PDF_LIMITS) -> PdfAnswer:
    """Run the PDF child in ``mode`` on ``data``; a child killed by a limit answers ``limit``."""
    outcome = run_tool("pdf_tool", mode, limits=limits, stdin=data)
    header, _newline, payload = outcome.stdout.partition(b"\n")
    try:
        details = json.loads(header)
        status = str(details.pop("status"))
    except (ValueError, KeyError, TypeError, AttributeError):
        return PdfAnswer("limit" if outcome.killed_by_limit else "broken")
    if "size" in details and len(payload) != details["size"]:
        return PdfAnswer("broken")
    return PdfAnswer(status, details, payload)


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
