"""Child process: find the invoice XML embedded in an untrusted PDF (ZUGFeRD / Factur-X).

Run only by :mod:`amtsfluss.rechnung.validation.pdf` as
``python -I pdf_extract.py MEMORY_BYTES CPU_SECONDS MAX_XML_BYTES`` with the PDF on stdin. It
sets its own resource limits before the PDF is parsed, imports nothing but the standard library
and pypdf (the PDF library factur-x builds on), never parses the XML, and answers on stdout with
one JSON status line, followed by the raw XML bytes when the status is ``ok``.

Statuses: ``ok`` (``name``, ``size``), ``encrypted``, ``broken`` (``error``: exception class),
``no-invoice`` (``attachments``: count), ``ambiguous`` (``names``), ``limit`` (``what``).
"""

from __future__ import annotations

import json
import resource
import sys
from typing import Any

# The names the standards give the invoice XML, most specific first: Factur-X 1.0 / ZUGFeRD
# 2.1+ (``factur-x.xml``), ZUGFeRD 2.1+ profile XRECHNUNG (``xrechnung.xml``), ZUGFeRD 2.0 and
# 1.0 (``zugferd-invoice.xml``). Compared case-insensitively.
INVOICE_NAMES = ("factur-x.xml", "xrechnung.xml", "zugferd-invoice.xml")


def _limit_resources(memory_bytes: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # no file is ever written
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _answer(status: str, payload: bytes = b"", **details: Any) -> None:
    line = json.dumps({"status": status, **details}).encode("ascii")
    sys.stdout.buffer.write(line + b"\n" + payload)
    sys.stdout.buffer.flush()


def _choose(attachments: list[Any]) -> tuple[str, Any]:
    """("ok", attachment), ("ambiguous", names) or ("no-invoice", [])."""
    for wanted in INVOICE_NAMES:
        named = [a for a in attachments if (a.name or "").lower() == wanted]
        if len(named) == 1:
            return "ok", named[0]
        if named:
            return "ambiguous", [a.name for a in named]
    xml = [a for a in attachments if (a.name or "").lower().endswith(".xml")]
    if len(xml) == 1:
        return "ok", xml[0]
    if xml:
        return "ambiguous", [a.name for a in xml]
    return "no-invoice", []


def extract(data: bytes, max_xml_bytes: int) -> None:
    from io import BytesIO

    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError

    try:
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted:
            _answer("encrypted")
            return
        attachments = list(reader.attachment_list)
        outcome, chosen = _choose(attachments)
        if outcome == "no-invoice":
            _answer(outcome, attachments=len(attachments))
            return
        if outcome == "ambiguous":
            _answer(outcome, names=chosen)
            return
        content = chosen.content
    except (LimitReachedError, MemoryError, RecursionError) as exc:
        _answer("limit", what=type(exc).__name__)
        return
    except Exception as exc:  # pypdf raises many kinds on broken input
        _answer("broken", error=type(exc).__name__)
        return
    if len(content) > max_xml_bytes:
        _answer("limit", what="size", name=chosen.name, size=len(content))
        return
    _answer("ok", content, name=chosen.name, size=len(content))


def main(argv: list[str]) -> int:
    memory_bytes, cpu_seconds, max_xml_bytes = (int(value) for value in argv[1:4])
    _limit_resources(memory_bytes, cpu_seconds)
    try:
        data = sys.stdin.buffer.read()
        extract(data, max_xml_bytes)
    except MemoryError:
        _answer("limit", what="MemoryError")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
