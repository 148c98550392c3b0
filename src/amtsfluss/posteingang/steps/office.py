"""Office → PDF/A-2b with LibreOffice headless: a fresh profile per run, under limits.

The profile forbids what a received document could make LibreOffice fetch: linked images and
other resources (a document names ``http://intranet-host/…`` and the worker would request it —
server-side request forgery, and a read receipt for the sender), link updates and formula
recalculation on load (``WEBSERVICE``). As a second fence every HTTP, HTTPS and FTP request
would go through a proxy on a closed local port.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from amtsfluss.posteingang import media
from amtsfluss.posteingang.sandbox import MIB, Limits, Outcome, run_limited, workspace

OFFICE_LIMITS = Limits(memory_bytes=3072 * MIB, cpu_seconds=120, wall_seconds=180.0)
_SPREADSHEETS = frozenset({media.XLSX, media.ODS, media.XLS})
_PDFA2 = '{"SelectPdfVersion":{"type":"long","value":"2"}}'

#: (configuration path, property, value) written into each run's fresh profile
_LOCKED_DOWN = (
    ("org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "true"),
    ("org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "3"),
    ("org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "true"),
    ("org.openoffice.Office.Writer/Content/Update", "Link", "0"),  # never
    ("org.openoffice.Office.Calc/Content/Update", "Link", "0"),
    ("org.openoffice.Office.Calc/Formula/Load", "OOXMLRecalcMode", "1"),  # never recalculate
    ("org.openoffice.Office.Calc/Formula/Load", "ODFRecalcMode", "1"),
    ("org.openoffice.Inet/Settings", "ooInetProxyType", "1"),  # manual: the proxies below
    ("org.openoffice.Inet/Settings", "ooInetNoProxy", ""),
    *(
        ("org.openoffice.Inet/Settings", f"ooInet{scheme}Proxy{part}", value)
        for scheme in ("HTTP", "HTTPS", "FTP")
        for part, value in (("Name", "127.0.0.1"), ("Port", "9"))  # discard: nobody listens
    ),
)


def _profile(directory: Path) -> Path:
    """A fresh LibreOffice profile with :data:`_LOCKED_DOWN` in its user settings."""
    user = directory / "user"
    user.mkdir(parents=True)
    items = "".join(
        f'<item oor:path="/{path}"><prop oor:name="{name}" oor:op="fuse">'
        f"<value>{value}</value></prop></item>"
        for path, name, value in _LOCKED_DOWN
    )
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry"'
        ' xmlns:xs="http://www.w3.org/2001/XMLSchema"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"{items}</oor:items>",
        encoding="utf-8",
    )
    return directory


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
            f"-env:UserInstallation={_profile(work / 'profile').as_uri()}",
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
