"""Child process: wrap the image on stdin as PDF (img2pdf, lossless) and write it to stdout.

Run only through :mod:`amtsfluss.posteingang.steps.images` (forked by the zygote, which set
the limits).
Images without a resolution are taken as 300 dpi (a scan), not img2pdf's 96.
"""

from __future__ import annotations

import sys

#: imported once by the zygote (``zygote.py``)
PRELOAD = ("img2pdf", "PIL.Image")


def main(argv: list[str] | None = None) -> int:
    import img2pdf  # type: ignore[import-untyped]
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = 40_000_000
    img2pdf.default_dpi = 300.0
    data = sys.stdin.buffer.read()
    try:
        pdf = img2pdf.convert(data, rotation=img2pdf.Rotation.ifvalid)
    except Exception:  # img2pdf and Pillow raise many kinds on damaged images
        return 2
    sys.stdout.buffer.write(pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
