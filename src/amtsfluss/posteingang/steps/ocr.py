"""Text recognition with ocrmypdf: a PDF/A-2b archival rendition with a text layer, the text,
the pages turned upright and the mean word confidence (from the hOCR of the kept temporary
files, which live in the run's own work directory)."""

from __future__ import annotations

import re
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

from amtsfluss.posteingang.sandbox import MIB, Limits, Outcome, run_limited, workspace

OCR_LIMITS = Limits(memory_bytes=2048 * MIB, cpu_seconds=600, wall_seconds=600.0)
LANGUAGES = "deu+eng"
_ROTATED = re.compile(r"^\s*(\d+)\s.*- will rotate", re.MULTILINE)
_WORD_CONFIDENCE = re.compile(rb"x_wconf (\d+)")


class OcrFailed(Exception):
    """ocrmypdf gave no PDF; ``outcome`` tells why (timeout, limit, unreadable input)."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.stderr[-500:].decode("utf-8", "replace"))
        self.outcome = outcome


@dataclass(frozen=True)
class OcrResult:
    pdf: bytes
    text: str
    rotated_pages: list[int] = field(default_factory=list)
    confidence: int | None = None


#: ocrmypdf's exit code when a page has text already ("prior OCR found")
PRIOR_TEXT_FOUND = 6


def ocr_command(
    source: Path, target: Path, sidecar: Path, jobs: int, *, force: bool = False
) -> list[str]:
    """``--skip-text`` would keep pages that have text, but ocrmypdf refuses it with Debian
    12's Ghostscript 10.0.0 (it corrupts such PDFs): a PDF with text on some pages is
    therefore recognised as a whole with ``--force-ocr`` (rasterised, then recognised)."""
    return [
        sys.executable,
        "-m",
        "ocrmypdf",
        "-l",
        LANGUAGES,
        "--deskew",
        "--rotate-pages",
        "--output-type",
        "pdfa-2",
        "--sidecar",
        str(sidecar),
        "--jobs",
        str(jobs),
        "--tesseract-timeout",
        "180",
        "--keep-temporary-files",
        *(["--force-ocr"] if force else []),
        str(source),
        str(target),
    ]


def run_ocr(pdf: bytes, *, jobs: int = 2, limits: Limits = OCR_LIMITS) -> OcrResult:
    with workspace() as directory:
        work = Path(directory)
        source, target, sidecar = work / "eingang.pdf", work / "archiv.pdf", work / "text.txt"
        source.write_bytes(pdf)
        outcome = run_limited(
            ocr_command(source, target, sidecar, jobs), limits=limits, workdir=work
        )
        if outcome.returncode == PRIOR_TEXT_FOUND:
            outcome = run_limited(
                ocr_command(source, target, sidecar, jobs, force=True), limits=limits, workdir=work
            )
        if not outcome.ok or not target.is_file():
            raise OcrFailed(outcome)
        text = sidecar.read_text("utf-8", "replace") if sidecar.is_file() else ""
        log = outcome.stderr.decode("utf-8", "replace")
        return OcrResult(
            pdf=target.read_bytes(),
            text=text.strip(),
            rotated_pages=sorted({int(n) for n in _ROTATED.findall(log)}),
            confidence=mean_confidence(work),
        )


def mean_confidence(work: Path) -> int | None:
    """Mean word confidence (0–100) over all hOCR files ocrmypdf left in ``work``."""
    values = [
        int(value)
        for hocr in work.rglob("*.hocr")
        for value in _WORD_CONFIDENCE.findall(hocr.read_bytes())
    ]
    return round(statistics.fmean(values)) if values else None
