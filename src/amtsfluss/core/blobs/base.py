from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import IO, Protocol, TypeGuard

CHUNK = 1024 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")


class BlobMissing(Exception):
    """No bytes are stored under this address."""


class BlobIntegrityError(Exception):
    """The stored bytes no longer hash to their address: the blob was changed or damaged."""


class BlobStoreUnavailable(Exception):
    """The store cannot be reached or written (readiness)."""


def is_address(value: object) -> TypeGuard[str]:
    """True for a lower-case SHA-256 hex digest (and nothing else: no newline, no path)."""
    return isinstance(value, str) and _SHA256.fullmatch(value) is not None


def check_address(sha256: str) -> str:
    """Return ``sha256`` if it is a valid address; raise ``ValueError`` otherwise.

    Every backend builds paths and keys only from checked addresses, so ``../../etc/passwd``
    or a digest with a trailing newline never reaches the file system or the bucket.
    """
    if not is_address(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return sha256


class RawStream(Protocol):
    """What a backend hands to :class:`VerifyingReader`: a file or an HTTP response body."""

    def read(self, size: int = ..., /) -> bytes: ...

    def close(self) -> None: ...


class BlobStore(Protocol):
    def put(self, source: IO[bytes]) -> tuple[str, int]:
        """Store the stream's bytes once; return (sha256, size).

        Existing content is never replaced. If it is present already, it is read back and
        verified: a damaged stored copy raises :class:`BlobIntegrityError` (and stays as it
        is, for the operator to examine and restore).
        """
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
    """Reads a blob's stream and checks its SHA-256 once the stream is exhausted.

    ``read_all()``, ``chunks()`` and ``verify()`` always check. A caller that stops calling
    ``read(n)`` before the end has read unverified bytes; use ``verify()`` to finish.
    """

    def __init__(self, raw: RawStream, sha256: str) -> None:
        self._raw = raw
        self._expected = check_address(sha256)
        self._hash = hashlib.sha256()
        self._size = 0
        self._done = False

    @property
    def sha256(self) -> str:
        return self._expected

    def read(self, size: int = -1) -> bytes:
        if self._done:
            return b""
        if size == 0:
            return b""
        data = self._raw.read() if size < 0 else self._raw.read(size)
        self._hash.update(data)
        self._size += len(data)
        if not data or size < 0:
            self._finish()
        return data

    def _finish(self) -> None:
        if self._done:
            return
        self._done = True
        if self._hash.hexdigest() != self._expected:
            raise BlobIntegrityError(
                f"blob {self._expected} does not match its content ({self._size} bytes read)"
            )

    def chunks(self, size: int = CHUNK) -> Iterator[bytes]:
        while chunk := self.read(size):
            yield chunk
        self._finish()

    def read_all(self) -> bytes:
        return b"".join(self.chunks())

    def verify(self) -> int:
        """Read whatever is left and check the hash; return the blob's size in bytes."""
        for _chunk in self.chunks():
            pass
        return self._size

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


def verify_stored(store: BlobStore, sha256: str, size: int) -> None:
    """Check that an already stored blob has exactly the expected bytes (duplicate ``put``)."""
    with store.open(sha256) as reader:
        stored_size = reader.verify()
    if stored_size != size:  # unreachable unless SHA-256 collides; cheap to state anyway
        raise BlobIntegrityError(f"blob {sha256} has {stored_size} bytes, expected {size}")
