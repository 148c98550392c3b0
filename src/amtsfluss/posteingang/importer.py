"""Bulk import of an archive (``amtsfluss import``): folders of PDF, TIFF, JPEG, Office files.

One Sendung — so one Vorgang — per folder and run, handed in parts of :data:`PART` files.
Idempotent by content: a file whose SHA-256 is already an Eingang of the Mandant (from any
channel, any earlier run, or earlier in this run) is a duplicate, so an interrupted run is
resumed by starting it again, and a second run imports nothing new. Files are checked at once
(refusals are in the report); converting, OCR and filing run in the worker.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from amtsfluss.akte.models import Akte
from amtsfluss.core.i18n import stored_text
from amtsfluss.core.models import Mandant, Organisationseinheit
from amtsfluss.posteingang.models import Eingang, EingangStatus, Sendung
from amtsfluss.posteingang.services.eingang import Datei, eingang_receive, sendung_extend

PART = 20
#: the Transfervermerk's device of imported (often scanned) files
DEVICE = "import"
IGNORED_SUFFIXES = (".part", ".partial", ".tmp", "~")


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    refused: list[dict[str, str]] = field(default_factory=list)
    sendungen: list[int] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "imported": len(self.imported),
            "duplicates": len(self.duplicates),
            "refused": len(self.refused),
            "files": {
                "imported": self.imported,
                "duplicates": self.duplicates,
                "refused": self.refused,
            },
            "sendungen": self.sendungen,
        }


@dataclass(frozen=True)
class ImportTarget:
    mandant: Mandant
    unit: Organisationseinheit
    akte: Akte | None = None


def candidate_files(paths: list[Path]) -> Iterator[Path]:
    """Regular files under ``paths`` in a stable order; links, dotfiles and partial files are
    skipped (a link could lead out of the archive being imported)."""
    for root in paths:
        if root.is_symlink():
            continue
        if root.is_file():
            yield root
            continue
        for directory, subdirs, names in os.walk(root, followlinks=False):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
            for name in sorted(names):
                path = Path(directory) / name
                if name.startswith((".", "~$")) or name.endswith(IGNORED_SUFFIXES):
                    continue
                if stat.S_ISREG(path.lstat().st_mode):
                    yield path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


class Importer:
    def __init__(self, target: ImportTarget, progress: Callable[[Path], object]) -> None:
        self.target = target
        self.progress = progress
        self.report = ImportReport()
        self.seen: set[str] = set()
        self.sendung_of: dict[Path, Sendung] = {}

    def run(self, files: list[Path]) -> ImportReport:
        by_folder: dict[Path, list[Path]] = {}
        for path in files:
            by_folder.setdefault(path.parent, []).append(path)
        for folder, paths in by_folder.items():
            for start in range(0, len(paths), PART):
                part = self._read(paths[start : start + PART])
                if part:
                    self._hand_in(folder, part)
        return self.report

    def _read(self, paths: list[Path]) -> list[tuple[Path, Datei]]:
        """The files of ``paths`` that are new: within the size limit, and no Eingang of the
        Mandant that was taken in (nor an earlier file of this run) has their SHA-256 — one
        query per part. A file refused before is checked again and reported again: it is not
        in the archive, and a run after a fix (or on a quiet machine) may take it in."""
        limit = settings.AMTSFLUSS_MAX_UPLOAD_BYTES
        hashed: list[tuple[Path, str]] = []
        for path in paths:
            if path.stat().st_size > limit:
                reason = _("The file is larger than the limit of %s.") % filesizeformat(limit)
                self.report.refused.append({"path": str(path), "reason": reason})
                self.progress(path)
            else:
                hashed.append((path, _sha256(path)))
        known = set(
            Eingang.objects.filter(
                mandant=self.target.mandant, sha256__in={sha256 for _path, sha256 in hashed}
            )
            .exclude(status=EingangStatus.ABGEWIESEN)
            .values_list("sha256", flat=True)
        )
        part = []
        for path, sha256 in hashed:
            self.progress(path)
            if sha256 in known or sha256 in self.seen:
                self.report.duplicates.append(str(path))
                continue
            self.seen.add(sha256)
            part.append((path, Datei(path.name, path.read_bytes(), herkunft={"path": str(path)})))
        return part

    def _hand_in(self, folder: Path, part: list[tuple[Path, Datei]]) -> None:
        files = [datei for _path, datei in part]
        sendung = self.sendung_of.get(folder)
        if sendung is None:
            sendung = eingang_receive(
                mandant=self.target.mandant,
                unit=self.target.unit,
                files=files,
                channel="import",
                provenance={"folder": str(folder)},
                betreff=stored_text(gettext_noop("Import: %s")) % (folder.name or str(folder)),
                ziel_akte=self.target.akte,
                geraet=DEVICE,
            )
            self.sendung_of[folder] = sendung
            self.report.sendungen.append(sendung.pk)
        else:
            sendung_extend(sendung=sendung, files=files, geraet=DEVICE)
        states = dict(
            Eingang.objects.filter(sendung=sendung, sha256__in=[_sha(d) for d in files])
            .values_list("sha256", "grund")
            .filter(status=EingangStatus.ABGEWIESEN)
        )
        for path, datei in part:
            reason = states.get(_sha(datei))
            if reason is None:
                self.report.imported.append(str(path))
            else:
                self.report.refused.append({"path": str(path), "reason": reason})


def _sha(datei: Datei) -> str:
    return hashlib.sha256(datei.data).hexdigest()
