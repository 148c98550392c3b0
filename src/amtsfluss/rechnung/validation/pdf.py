"""ZUGFeRD / Factur-X intake: the invoice XML embedded in a PDF, extracted in a limited child.

PDF parsing is the riskiest step of the intake (a complex binary format, decompression, deep
object graphs), so it never runs in the validating process: :func:`extract_invoice_xml` starts
``pdf_extract.py`` in a fresh, isolated interpreter (``python -I``, empty environment) that
limits its own address space and CPU time before it reads the PDF, and the parent kills it after
a wall-clock timeout. The child only locates the embedded file and returns its bytes; the XML
then goes through the same hardened checks as an XML upload (prolog/DOCTYPE scan first).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from amtsfluss.rechnung.validation.hardening import MAX_BYTES

RULE_PDF = "AF-PDF"
RULE_NO_EINVOICE = "AF-NO-EINVOICE"
RULE_LIMIT = "AF-LIMIT"

EXTRACTOR = Path(__file__).with_name("pdf_extract.py")


@dataclass(frozen=True)
class ExtractionLimits:
    memory_bytes: int = 512 * 1024 * 1024
    cpu_seconds: int = 10
    wall_seconds: float = 30.0


DEFAULT_LIMITS = ExtractionLimits()


@dataclass(frozen=True)
class EmbeddedXml:
    name: str
    data: bytes


@dataclass(frozen=True)
class PdfRefusal:
    rule: str
    message: str


def is_pdf(data: bytes) -> bool:
    return data.lstrip()[:5] == b"%PDF-"


def extract_invoice_xml(
    pdf: bytes, limits: ExtractionLimits = DEFAULT_LIMITS
) -> EmbeddedXml | PdfRefusal:
    """The invoice XML embedded in ``pdf``, or why there is none. Never raises for bad input."""
    command = [
        sys.executable,
        "-I",
        str(EXTRACTOR),
        str(limits.memory_bytes),
        str(limits.cpu_seconds),
        str(MAX_BYTES),
    ]
    try:
        child = subprocess.run(  # noqa: S603 - fixed command, our own script
            command,
            input=pdf,
            capture_output=True,
            timeout=limits.wall_seconds,
            env={"LC_ALL": "C.UTF-8"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        return _limit_refusal()
    header, _newline, payload = child.stdout.partition(b"\n")
    try:
        answer = json.loads(header)
        status = answer["status"]
    except (ValueError, KeyError, TypeError):
        # No answer: killed by a limit (signal), out of memory, or the interpreter failed.
        if child.returncode < 0 or b"MemoryError" in child.stderr:
            return _limit_refusal()
        return _unreadable()
    if status == "ok" and len(payload) == answer.get("size"):
        return EmbeddedXml(name=str(answer["name"]), data=payload)
    return _refusal(status, answer)


def _refusal(status: str, answer: dict[str, object]) -> PdfRefusal:
    if status == "encrypted":
        return PdfRefusal(
            RULE_PDF,
            _(
                "The PDF is encrypted. A ZUGFeRD/Factur-X invoice must be an unencrypted "
                "PDF/A-3; please send it again without encryption."
            ),
        )
    if status == "no-invoice":
        return PdfRefusal(
            RULE_NO_EINVOICE,
            _(
                "The PDF contains no embedded invoice XML (ZUGFeRD/Factur-X). A PDF without "
                "invoice XML is not an e-invoice."
            ),
        )
    if status == "ambiguous":
        listed = answer.get("names")
        names = ", ".join(map(str, listed)) if isinstance(listed, list) else "?"
        return PdfRefusal(
            RULE_PDF,
            _(
                "The PDF contains several candidate invoice XML files (%(names)s); it is "
                "unclear which one is the invoice."
            )
            % {"names": names},
        )
    if status == "limit":
        return _limit_refusal()
    return _unreadable()


def _unreadable() -> PdfRefusal:
    return PdfRefusal(RULE_PDF, _("The PDF is damaged or not readable."))


def _limit_refusal() -> PdfRefusal:
    return PdfRefusal(
        RULE_LIMIT,
        _(
            "Reading the PDF exceeded the limits for memory, computing time or size; the file "
            "was not processed further."
        ),
    )
