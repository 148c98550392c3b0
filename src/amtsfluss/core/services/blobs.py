from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO

from amtsfluss.core.blobs import (
    BlobIntegrityError,
    BlobMissing,
    BlobStore,
    VerifyingReader,
    get_blob_store,
)
from amtsfluss.core.models import Blob, Mandant


def blob_store(*, mandant: Mandant, content: bytes | IO[bytes]) -> Blob:
    """Store content write-once and register it for the Mandant (idempotent by SHA-256).

    The bytes are written before the row: a crash leaves at most an unreferenced blob,
    never a row without bytes. A damaged stored copy of the same content raises
    ``BlobIntegrityError`` instead of registering it.
    """
    return blobs_register(mandant=mandant, stored=[blob_put(content)])[0]


@dataclass(frozen=True)
class StoredBytes:
    """Content written to the blob store and not yet registered (:func:`blobs_register`)."""

    sha256: str
    size: int


def blob_put(content: bytes | IO[bytes]) -> StoredBytes:
    """The first half of :func:`blob_store`: write the bytes (durably) and nothing else. For
    several files of one change — their bytes first, then their rows in the change's one
    transaction by :func:`blobs_register`."""
    source = io.BytesIO(content) if isinstance(content, bytes) else content
    sha256, size = get_blob_store().put(source)
    return StoredBytes(sha256, size)


def blobs_register(*, mandant: Mandant, stored: Sequence[StoredBytes]) -> list[Blob]:
    """The second half of :func:`blob_store`, for several contents whose bytes
    :func:`blob_put` wrote: the Mandant's Blob row of each, in order, created where missing —
    two queries, whatever their number. Runs in the caller's transaction."""
    wanted = {item.sha256: item.size for item in stored}
    Blob.objects.bulk_create(
        [Blob(mandant=mandant, sha256=sha256, size=size) for sha256, size in wanted.items()],
        ignore_conflicts=True,  # registered before, or by a concurrent hand-in of the same file
    )
    rows = {blob.sha256: blob for blob in Blob.objects.filter(mandant=mandant, sha256__in=wanted)}
    return [rows[item.sha256] for item in stored]


def blob_open(*, blob: Blob) -> VerifyingReader:
    """Open a blob for reading; the reader raises BlobIntegrityError if bytes were altered."""
    return get_blob_store().open(blob.sha256)


@dataclass(frozen=True)
class FixityTarget:
    """One distinct stored content and the Mandanten that registered it."""

    sha256: str
    size: int
    mandanten: tuple[str, ...]


@dataclass
class FixityReport:
    checked: int = 0
    checked_bytes: int = 0
    missing: list[FixityTarget] = field(default_factory=list)
    corrupted: list[FixityTarget] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.missing and not self.corrupted


def blob_fixity_targets(*, mandant: Mandant | None = None) -> list[FixityTarget]:
    """Every registered blob (of one Mandant, or of all), once per SHA-256, by address."""
    rows = Blob.objects.order_by("sha256", "mandant__slug").values_list(
        "sha256", "size", "mandant__slug"
    )
    if mandant is not None:
        rows = rows.filter(mandant=mandant)
    grouped: dict[str, tuple[int, list[str]]] = {}
    for sha256, size, slug in rows.iterator(chunk_size=5000):
        grouped.setdefault(sha256, (size, []))[1].append(slug)
    return [
        FixityTarget(sha256=sha256, size=size, mandanten=tuple(slugs))
        for sha256, (size, slugs) in grouped.items()
    ]


def blob_fixity_check(
    *,
    targets: list[FixityTarget],
    progress: Callable[[int], object] | None = None,
    store: BlobStore | None = None,
) -> FixityReport:
    """Read every target's bytes and recompute its SHA-256 (``progress`` gets bytes read).

    A blob whose bytes are shorter or longer than registered counts as corrupted as well.
    """
    store = store or get_blob_store()
    report = FixityReport()
    for target in targets:
        read = 0
        try:
            with store.open(target.sha256) as reader:
                for chunk in reader.chunks():
                    read += len(chunk)
                    if progress is not None:
                        progress(len(chunk))
            if read != target.size:
                raise BlobIntegrityError(f"{target.sha256}: {read} bytes, {target.size} expected")
        except BlobMissing:
            report.missing.append(target)
        except BlobIntegrityError:
            report.corrupted.append(target)
        if progress is not None and read < target.size:
            progress(target.size - read)  # keep the bar's total honest for what was skipped
        report.checked += 1
        report.checked_bytes += read
    return report
