from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from amtsfluss.core.blobs.base import (
    BlobMissing,
    BlobStoreUnavailable,
    VerifyingReader,
    check_address,
    hash_stream,
    is_address,
    verify_stored,
)

_HEX2 = "[0-9a-f][0-9a-f]"


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FilesystemBlobStore:
    """Blobs as read-only files ``<root>/ab/cd/<sha256>``; written via a temp file and link.

    ``os.link`` fails when the target exists, so a blob that is stored once is never
    replaced, not even by two processes storing the same content at the same moment. Bytes
    are fsynced before the link and the directory after it: once ``put`` returns, the blob
    survives a power cut.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.incoming = self.root / "incoming"
        self.quarantine_dir = self.root / "quarantine"

    def path(self, sha256: str) -> Path:
        """Where the blob's file lives (only for checked addresses)."""
        check_address(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def _makedirs(self, directory: Path) -> None:
        missing: list[Path] = []
        current = directory
        while not current.is_dir():
            missing.append(current)
            current = current.parent
        for new in reversed(missing):
            with contextlib.suppress(FileExistsError):
                new.mkdir()
            _fsync_dir(new.parent)

    def put(self, source: IO[bytes]) -> tuple[str, int]:
        self._makedirs(self.incoming)
        fd, tmp_name = tempfile.mkstemp(dir=self.incoming, prefix="put-")
        try:
            with os.fdopen(fd, "wb") as tmp:
                sha256, size = hash_stream(source, tmp)
                tmp.flush()
                os.fsync(tmp.fileno())
            os.chmod(tmp_name, 0o444)
            target = self.path(sha256)
            self._makedirs(target.parent)
            try:
                os.link(tmp_name, target)  # fails if present: existing content is never replaced
            except FileExistsError:
                verify_stored(self, sha256, size)
            else:
                _fsync_dir(target.parent)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
        return sha256, size

    def open(self, sha256: str) -> VerifyingReader:
        try:
            raw = self.path(sha256).open("rb")
        except FileNotFoundError as exc:
            raise BlobMissing(sha256) from exc
        return VerifyingReader(raw, sha256)

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def addresses(self) -> Iterator[str]:
        for path in sorted(self.root.glob(f"{_HEX2}/{_HEX2}/*")):
            name = path.name
            if is_address(name) and path.parent.name == name[2:4] and path.is_file():
                yield name

    def quarantine(self, sha256: str) -> Path:
        """Move a damaged blob aside (kept for examination) so that a good copy can be stored."""
        source = self.path(sha256)
        self._makedirs(self.quarantine_dir)
        target = self.quarantine_dir / f"{sha256}.{time.time_ns()}"
        os.rename(source, target)
        _fsync_dir(source.parent)
        return target

    def check(self) -> None:
        try:
            self._makedirs(self.incoming)
            fd, probe = tempfile.mkstemp(dir=self.incoming, prefix="ready-")
            try:
                os.write(fd, b"ok")
            finally:
                os.close(fd)
                os.unlink(probe)
        except OSError as exc:
            raise BlobStoreUnavailable(
                f"blob directory {self.root} is not writable: {exc}"
            ) from exc
