"""Write-once, content-addressed storage of bytes (SHA-256), verified on every read.

Two backends share one contract (:class:`BlobStore`): a local directory for the embedded
default and any S3-API object store for installations on several machines.
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed

from amtsfluss.core.blobs.base import (
    BlobIntegrityError,
    BlobMissing,
    BlobStore,
    BlobStoreUnavailable,
    VerifyingReader,
    check_address,
    is_address,
)

__all__ = [
    "BlobIntegrityError",
    "BlobMissing",
    "BlobStore",
    "BlobStoreUnavailable",
    "VerifyingReader",
    "check_address",
    "get_blob_store",
    "is_address",
]


@functools.cache
def get_blob_store() -> BlobStore:
    config = settings.AMTSFLUSS_BLOBS
    backend = config["BACKEND"]
    if backend == "filesystem":
        from amtsfluss.core.blobs.filesystem import FilesystemBlobStore

        return FilesystemBlobStore(config["DIRECTORY"])
    if backend == "s3":
        from amtsfluss.core.blobs.s3 import S3BlobStore

        return S3BlobStore(
            bucket=config["S3_BUCKET"],
            prefix=config["S3_PREFIX"],
            endpoint_url=config["S3_ENDPOINT_URL"] or None,
            region=config["S3_REGION"],
        )
    raise ValueError(f"Unknown AMTSFLUSS_BLOB_BACKEND {backend!r} (filesystem or s3)")


def _forget_store(*, setting: str, **kwargs: Any) -> None:
    """A changed AMTSFLUSS_BLOBS (``override_settings``) takes effect at the next access."""
    if setting == "AMTSFLUSS_BLOBS":
        get_blob_store.cache_clear()


setting_changed.connect(_forget_store, dispatch_uid="amtsfluss.core.blobs.forget_store")
