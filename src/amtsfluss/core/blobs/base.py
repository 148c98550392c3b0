from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import IO, Protocol

CHUNK = 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class BlobMissing(Exception):
    pass


class BlobIntegrityError(Exception):
    """The stored bytes no longer hash to their address: the blob was changed or damaged."""


def check_address(sha256: str) -> str:
    if not _SHA256.match(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return sha256


class BlobStore(Protocol):
    def put(self, source: IO[bytes]) -> tuple[str, int]:
        """Store the stream's bytes once; return (sha256, size). Existing content is kept."""
        ...

    def open(self, sha256: str) -> VerifyingReader:
        """A reader that raises BlobIntegrityError at the end if the bytes do not match."""
        ...

    def exists(self, sha256: str) -> bool: ...

    def addresses(self) -> Iterator[str]:
        """Every stored address (for fixity checks and backups)."""
        ...

    def check(self) -> None:
        """Raise if the store cannot be reached or written (readiness)."""
        ...


class VerifyingReader:
    """Reads a blob's stream and checks its SHA-256 once the stream is exhausted."""

    def __init__(self, raw: IO[bytes], sha256: str) -> None:
        self._raw = raw
        self._expected = sha256
        self._hash = hashlib.sha256()
        self._done = False

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self._hash.update(data)
        if not data or size < 0:
            self._finish()
        return data

    def _finish(self) -> None:
        if self._done:
            return
        self._done = True
        if self._hash.hexdigest() != self._expected:
            raise BlobIntegrityError(f"blob {self._expected} does not match its content")

    def chunks(self, size: int = CHUNK) -> Iterator[bytes]:
        while chunk := self.read(size):
            yield chunk
        self._finish()

    def read_all(self) -> bytes:
        return b"".join(self.chunks())

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> VerifyingReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def hash_stream(source: IO[bytes], sink: IO[bytes]) -> tuple[str, int]:
    """Copy ``source`` into ``sink`` while hashing; return (sha256, size)."""
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        sink.write(chunk)
        size += len(chunk)
    return digest.hexdigest(), size
