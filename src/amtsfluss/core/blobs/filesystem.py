from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from amtsfluss.core.blobs.base import (
    BlobMissing,
    VerifyingReader,
    check_address,
    hash_stream,
)


class FilesystemBlobStore:
    """Blobs as read-only files ``<root>/ab/cd/<sha256>``; written via a temp file and link."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, sha256: str) -> Path:
        check_address(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, source: IO[bytes]) -> tuple[str, int]:
        incoming = self.root / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=incoming, delete=False) as tmp:
            try:
                sha256, size = hash_stream(source, tmp)
                tmp.flush()
                os.fsync(tmp.fileno())
            except BaseException:
                os.unlink(tmp.name)
                raise
        target = self._path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.chmod(tmp.name, 0o444)
            os.link(tmp.name, target)  # fails if present: existing content is never replaced
            directory = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp.name)
        return sha256, size

    def open(self, sha256: str) -> VerifyingReader:
        try:
            raw = self._path(sha256).open("rb")
        except FileNotFoundError as exc:
            raise BlobMissing(sha256) from exc
        return VerifyingReader(raw, sha256)

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).is_file()

    def addresses(self) -> Iterator[str]:
        for path in sorted(self.root.glob("[0-9a-f][0-9a-f]/[0-9a-f][0-9a-f]/*")):
            yield path.name

    def check(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if not os.access(self.root, os.W_OK):
            raise PermissionError(f"blob directory {self.root} is not writable")
