"""A checked image (TIFF with its pages, JPEG, PNG) wrapped losslessly as PDF with img2pdf."""

from __future__ import annotations

from amtsfluss.posteingang.sandbox import MIB, Limits, Outcome
from amtsfluss.posteingang.zygote import run_tool

IMAGE_LIMITS = Limits(memory_bytes=1024 * MIB, cpu_seconds=60, wall_seconds=90.0)


class ImageFailed(Exception):
    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.stderr[-500:].decode("utf-8", "replace"))
        self.outcome = outcome


def image_to_pdf(data: bytes, limits: Limits = IMAGE_LIMITS) -> bytes:
    outcome = run_tool("image_tool", limits=limits, stdin=data)
    if not outcome.ok or not outcome.stdout.startswith(b"%PDF-"):
        raise ImageFailed(outcome)
    return outcome.stdout
