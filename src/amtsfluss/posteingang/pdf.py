"""The parent side of ``child/pdf_tool.py``: probe, text layer and page images of a PDF."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from amtsfluss.posteingang.child.pdf_tool import FRAME
from amtsfluss.posteingang.sandbox import MIB, Limits
from amtsfluss.posteingang.zygote import run_tool

PDF_LIMITS = Limits(memory_bytes=768 * MIB, cpu_seconds=20, wall_seconds=40.0)
#: :func:`ask_many` hands PDFs up to this size to one child together, up to this sum per child:
#: for a small PDF the fork costs more than the reading, for a large one the reading dominates
SHARED_RUN_MAX_FILE = 2 * MIB
SHARED_RUN_MAX_BYTES = 8 * MIB
#: the answers of a shared child that stand; any other is asked again alone
SHARED_VERDICTS = frozenset({"ok", "encrypted"})
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


def ask_many(
    mode: str, datas: Sequence[bytes], limits: Limits = PDF_LIMITS, *, argv: list[str] | None = None
) -> list[PdfAnswer]:
    """:func:`ask` for each of ``datas`` — the PDFs of one hand-in — with small ones sharing a
    child (mode ``many``). The answers come in order. A PDF the shared child did not answer
    (it ended early: a limit, a crash) or answered ``limit`` or ``broken`` is asked again in a
    child of its own: those may come from the shared child's state (memory its siblings left in
    use, their share of the CPU limit), so no PDF is refused or sent to OCR for another's sake."""
    answers: list[PdfAnswer | None] = [None] * len(datas)
    for group in _shared_runs(datas):
        stdin = b"".join(FRAME.pack(len(datas[i])) + datas[i] for i in group)
        outcome = run_tool("pdf_tool", "many", mode, *(argv or []), limits=limits, stdin=stdin)
        for index, answer in zip(group, _answers(outcome.stdout), strict=False):
            if answer.status in SHARED_VERDICTS:
                answers[index] = answer
    return [
        answer if answer is not None else ask(mode, data, limits, argv=argv)
        for answer, data in zip(answers, datas, strict=True)
    ]


def _shared_runs(datas: Sequence[bytes]) -> list[list[int]]:
    """Indexes of the PDFs that share a child, in groups of at most the byte budget; a group of
    one is left to :func:`ask`."""
    groups: list[list[int]] = []
    group: list[int] = []
    size = 0
    for index, data in enumerate(datas):
        if len(data) > SHARED_RUN_MAX_FILE:
            continue
        if group and size + len(data) > SHARED_RUN_MAX_BYTES:
            groups.append(group)
            group, size = [], 0
        group.append(index)
        size += len(data)
    groups.append(group)
    return [group for group in groups if len(group) > 1]


def _answers(stdout: bytes) -> list[PdfAnswer]:
    """The complete answers at the start of a ``many`` run's output; parsing stops at the first
    one that is cut off or malformed (what follows it is asked again)."""
    found = []
    rest = stdout
    while rest:
        header, newline, rest = rest.partition(b"\n")
        try:
            details = json.loads(header)
            status = str(details.pop("status"))
            size = _payload_size(details) if "size" in details else 0
        except (ValueError, KeyError, TypeError, AttributeError):
            break
        if not newline or size < 0 or len(rest) < size:
            break
        found.append(PdfAnswer(status, details, rest[:size]))
        rest = rest[size:]
    return found


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


#: the text layer (or why there is none) and the preview of one PDF
TextAndPreview = tuple[TextLayer | PdfAnswer, Rendered | None]


def text_layer_and_preview(data: bytes) -> TextAndPreview:
    """The text layer and, when it is complete (no OCR will follow), the preview — one child
    run instead of two. The preview is None when the layer is incomplete or rendering failed."""
    return _layer_and_preview(ask("text_render", data, argv=[str(MIN_CHARS_PER_PAGE)]))


def texts_and_previews(datas: Sequence[bytes]) -> list[TextAndPreview]:
    """:func:`text_layer_and_preview` for the PDFs of one hand-in, small ones sharing a child."""
    answers = ask_many("text_render", datas, argv=[str(MIN_CHARS_PER_PAGE)])
    return [_layer_and_preview(answer) for answer in answers]


def _layer_and_preview(answer: PdfAnswer) -> TextAndPreview:
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
