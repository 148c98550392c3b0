"""Office → PDF/A-2b with LibreOffice headless: a fresh profile per run, under limits."""

from __future__ import annotations

import shutil
from pathlib import Path

from amtsfluss.posteingang import media
from amtsfluss.posteingang.sandbox import MIB, Limits, Outcome, run_limited, workspace

OFFICE_LIMITS = Limits(memory_bytes=3072 * MIB, cpu_seconds=120, wall_seconds=180.0)
_SPREADSHEETS = frozenset({media.XLSX, media.ODS, media.XLS})
_PDFA2 = '{"SelectPdfVersion":{"type":"long","value":"2"}}'


class ConversionFailed(Exception):
    def __init__(self, outcome: Outcome | None, message: str = "") -> None:
        detail = outcome.stderr[-500:].decode("utf-8", "replace") if outcome else ""
        super().__init__(message or detail)
        self.outcome = outcome


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        raise ConversionFailed(None, "LibreOffice (soffice) is not installed")
    return found


def _extension(media_type: str) -> str:
    return sorted(media.EXTENSIONS[media_type])[0]


def office_to_pdf(data: bytes, media_type: str, limits: Limits = OFFICE_LIMITS) -> bytes:
    """The document as PDF/A-2b; raises :class:`ConversionFailed`."""
    export = "calc_pdf_Export" if media_type in _SPREADSHEETS else "writer_pdf_Export"
    with workspace() as directory:
        work = Path(directory)
        source = work / f"eingang{_extension(media_type)}"
        source.write_bytes(data)
        out = work / "out"
        command = [
            soffice(),
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--convert-to",
            f"pdf:{export}:{_PDFA2}",
            "--outdir",
            str(out),
            str(source),
        ]
        outcome = run_limited(command, limits=limits, workdir=work)
        target = out / "eingang.pdf"
        if not outcome.ok or not target.is_file() or target.stat().st_size == 0:
            raise ConversionFailed(outcome)
        return target.read_bytes()
