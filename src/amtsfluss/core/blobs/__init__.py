"""Write-once, content-addressed storage of bytes (SHA-256), verified on every read.

Two backends share one contract (:class:`BlobStore`): a local directory for the embedded
default and any S3-API object store for installations on several machines.
"""

from __future__ import annotations

import functools

from django.conf import settings

from amtsfluss.core.blobs.base import BlobIntegrityError, BlobMissing, BlobStore, VerifyingReader

__all__ = ["BlobIntegrityError", "BlobMissing", "BlobStore", "VerifyingReader", "get_blob_store"]


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
