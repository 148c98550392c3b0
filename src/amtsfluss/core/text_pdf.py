"""A tiny, valid one-page PDF with a real text layer, written by hand (no PDF library, no
Django): the demo's Dokumente, the scale data and the ingest benchmark use it, and the
Posteingang's zygote warms its tools up on one — it loads this file by its path, so it must
import nothing but the standard library."""

from __future__ import annotations

from collections.abc import Sequence


def text_pdf(lines: Sequence[str]) -> bytes:
    """A minimal valid one-page PDF 1.4 (A4) showing ``lines`` in Helvetica.

    Written by hand — objects, cross-reference table and trailer — so the demo, its scale data and
    the benchmarks need no PDF library. Text outside Windows-1252 is replaced by ``?``.
    """
    text = b" T* ".join(_pdf_string(line) + b" Tj" for line in lines)
    content = b"BT /F1 12 Tf 16 TL 72 770 Td " + text + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _pdf_string(line: str) -> bytes:
    raw = line.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"
