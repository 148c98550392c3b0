"""Polling one watched folder (a scanner's drop folder): each settled file through its handler
once, then into ``done/`` — or ``failed/`` with a ``.reason.txt`` beside it.

Only plain files directly in the folder are read, through ``O_NOFOLLOW`` and checked to be the
file that was listed; symbolic links, hard-linked files, devices and pipes are refused unread.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import time
from datetime import UTC, datetime
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from amtsfluss.core.intake import records
from amtsfluss.core.intake.items import Attachment, IntakeItem, Limits
from amtsfluss.core.intake.report import RunReport
from amtsfluss.core.intake.text import safe_filename
from amtsfluss.core.models import IntakeChannel
from amtsfluss.core.models.intake import RecordState

logger = logging.getLogger(__name__)

TEMPORARY_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload", ".download", "~")


class FolderError(Exception):
    """The folder cannot be used (missing, replaced by a link, not writable)."""


def is_temporary(name: str) -> bool:
    """Dotfiles and the names of files still being written or edited."""
    return name.startswith((".", "~$")) or name.lower().endswith(TEMPORARY_SUFFIXES)


def poll_folder(channel: IntakeChannel, limits: Limits) -> RunReport:
    root = Path(channel.path)
    if not root.is_absolute() or os.path.realpath(root) != str(root) or not root.is_dir():
        raise FolderError(
            _("The folder %(path)s is missing or is no longer a plain directory.")
            % {"path": channel.path}
        )
    done, failed = root / channel.done_dir, root / channel.failed_dir
    try:
        for target in (done, failed):
            target.mkdir(mode=0o750, exist_ok=True)
            if target.is_symlink() or not target.is_dir():
                raise FolderError(_("%(path)s is not a directory.") % {"path": target})
        entries = sorted(os.scandir(root), key=lambda entry: entry.name)
    except OSError as exc:
        raise FolderError(str(exc)) from exc
    report = RunReport()
    for entry in entries:
        if report.done + report.failed + report.refused >= limits.max_items_per_run:
            break
        if is_temporary(entry.name) or entry.name in {channel.done_dir, channel.failed_dir}:
            continue
        _one(channel, Path(entry.path), done, failed, limits, report)
    return report


def _one(
    channel: IntakeChannel, path: Path, done: Path, failed: Path, limits: Limits, report: RunReport
) -> None:
    info = path.lstat()
    if stat.S_ISDIR(info.st_mode):
        return  # subfolders are not scanned
    refusal = _refusal(info, limits)
    if refusal is not None:
        _move(path, failed, reason=refusal)
        report.refused += 1
        return
    if time.time() - info.st_mtime < limits.settle_seconds:
        report.skipped += 1  # still being written
        return
    data = _read(path, info)
    if data is None:
        report.skipped += 1  # changed while it was read
        return
    digest = hashlib.sha256(data).hexdigest()
    key = f"{digest}:{path.name}"
    record = records.find(channel, key=key)
    if record is not None and record.state == RecordState.REFUSED:
        _move(path, failed, reason=record.reason)
        report.refused += 1
        return
    if record is None or record.state != RecordState.DONE:
        record = records.handle(
            channel,
            key=key,
            build=lambda: _item(channel, path, data, digest, info),
            label=path.name,
            sha256=digest,
        )
        report.count(record.state)
    if record.state == RecordState.DONE:
        _move(path, done)
        records.mark_moved(record)
        report.moved += 1
    else:
        _move(path, failed, reason=record.reason)


def _refusal(info: os.stat_result, limits: Limits) -> str | None:
    if stat.S_ISLNK(info.st_mode):
        return _("Symbolic links are not read (it may point outside the folder).")
    if not stat.S_ISREG(info.st_mode):
        return _("Only plain files are read.")
    if info.st_nlink > 1:
        return _("Files with several hard links are not read (one may lie outside the folder).")
    if info.st_size > limits.max_file_bytes:
        return _("The file is larger than %(limit)d bytes.") % {"limit": limits.max_file_bytes}
    return None


def _read(path: Path, before: os.stat_result) -> bytes | None:
    """The file's bytes if it is still the listed plain file and did not change meanwhile."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None  # replaced by a link or removed meanwhile
    with os.fdopen(fd, "rb") as handle:
        opened = os.fstat(fd)
        if (opened.st_dev, opened.st_ino) != (before.st_dev, before.st_ino):
            return None
        if not stat.S_ISREG(opened.st_mode) or opened.st_size > before.st_size:
            return None
        data = handle.read(before.st_size + 1)
        after = os.fstat(fd)
    unchanged = (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    return data if unchanged and len(data) == before.st_size else None


def _item(
    channel: IntakeChannel, path: Path, data: bytes, digest: str, info: os.stat_result
) -> IntakeItem:
    name = safe_filename(path.name, fallback="datei")
    provenance = {
        "channel": channel.name,
        "folder": channel.path,
        "filename": name,
        "sha256": digest,
        "size": str(len(data)),
        "modified_at": datetime.fromtimestamp(info.st_mtime, tz=UTC).isoformat(),
        "received_at": timezone.now().isoformat(),
        "unit": channel.unit.code,
    }
    attachment = Attachment(filename=name, content_type="application/octet-stream", data=data)
    return IntakeItem(
        channel=channel, source="ordner", provenance=provenance, attachments=(attachment,)
    )


def _move(path: Path, target_dir: Path, *, reason: str = "") -> Path:
    """Rename ``path`` into ``target_dir`` under a free name; a reason goes beside it."""
    stem, dot, ext = path.name.rpartition(".")
    candidate, n = target_dir / path.name, 1
    while (
        candidate.exists()
        or candidate.is_symlink()
        or (reason and os.path.lexists(_reason_file(candidate)))
    ):
        n += 1
        candidate = target_dir / (f"{stem}-{n}.{ext}" if dot and stem else f"{path.name}-{n}")
    os.rename(path, candidate)  # the link itself for a symbolic link: its target is never touched
    if reason:
        _write_reason(_reason_file(candidate), reason)
    return candidate


def _write_reason(path: Path, reason: str) -> None:
    """A new file only, never through a link: whoever may write into the share could have put
    a link there pointing anywhere the worker may write."""
    stamp = timezone.now().isoformat(timespec="seconds")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    try:
        descriptor = os.open(path, flags, 0o640)
    except OSError:
        logger.warning("intake folder: no reason file beside %s", path)
        return
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(f"{stamp}\n{reason}\n")


def _reason_file(path: Path) -> Path:
    return path.with_name(path.name + ".reason.txt")
