"""Read a GiroCode back from a PDF as the banking app would see it: the pages rendered to pixels
(pdfium), the QR code found by its three finder patterns, its modules sampled on their grid.

No QR decoder is installed here, so the modules are compared with the code the Kasse computes
for the Forderung (segno, from the EPC payload): equal modules mean the printed code carries
exactly that payload.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pypdfium2 as pdfium  # type: ignore[import-untyped]
from scipy import ndimage  # type: ignore[import-untyped]

#: pixels per point when rendering: a module of a 32 mm code is about 25 px
SCALE = 8.0
DARK = 128


@dataclass(frozen=True)
class Box:
    top: int
    left: int
    bottom: int  # exclusive
    right: int  # exclusive

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def width(self) -> int:
        return self.right - self.left


def _finder_rings(dark: np.ndarray) -> list[Box]:
    """Dark components shaped like a finder pattern's outer ring: a square 7 modules wide
    whose 24 modules of ring cover about half of it (the separator keeps it apart)."""
    labels, _count = ndimage.label(dark)
    rings = []
    for index, found in enumerate(ndimage.find_objects(labels), start=1):
        if found is None:
            continue
        rows, cols = found
        box = Box(rows.start, cols.start, rows.stop, cols.stop)
        if box.width < 35 or abs(box.width - box.height) > 0.05 * box.width:
            continue
        area = int(np.count_nonzero(labels[found] == index))
        if abs(area / (box.width * box.height) - 24 / 49) < 0.06:
            rings.append(box)
    return rings


def _symbol(dark: np.ndarray, size: int) -> np.ndarray | None:
    """The modules (``size`` × ``size``, True = dark) of the QR code on the page, if any."""
    rings = _finder_rings(dark)
    for top_left in rings:
        same = [r for r in rings if abs(r.width - top_left.width) <= 0.05 * top_left.width]
        right = [r for r in same if abs(r.top - top_left.top) < 4 and r.left > top_left.right]
        below = [r for r in same if abs(r.left - top_left.left) < 4 and r.top > top_left.bottom]
        if not right or not below:
            continue
        width = right[0].right - top_left.left
        height = below[0].bottom - top_left.top
        step_x, step_y = width / size, height / size
        centres_y = (top_left.top + (np.arange(size) + 0.5) * step_y).astype(int)
        centres_x = (top_left.left + (np.arange(size) + 0.5) * step_x).astype(int)
        return dark[np.ix_(centres_y, centres_x)]
    return None


def modules_in_pdf(pdf: bytes, size: int) -> list[np.ndarray]:
    """The modules of every QR code of ``size`` modules found on the PDF's pages."""
    found = []
    document = pdfium.PdfDocument(pdf)
    try:
        for page in document:
            image = page.render(scale=SCALE, grayscale=True).to_pil().convert("L")
            symbol = _symbol(np.asarray(image) < DARK, size)
            if symbol is not None:
                found.append(symbol)
    finally:
        document.close()
    return found


def expected_modules(matrix: tuple[bytearray, ...] | list[bytearray]) -> np.ndarray:
    """segno's ``QRCode.matrix`` (no quiet zone) as booleans."""
    return np.array([[bool(value) for value in row] for row in matrix])
