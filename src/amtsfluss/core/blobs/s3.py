from __future__ import annotations

import base64
import tempfile
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

import boto3
from botocore.exceptions import ClientError

from amtsfluss.core.blobs.base import (
    BlobMissing,
    BlobStoreUnavailable,
    VerifyingReader,
    check_address,
    hash_stream,
    is_address,
    verify_stored,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_NOT_FOUND = {"NoSuchKey", "404", "NotFound"}
#: S3 answers 409 when another conditional write to the same key is in flight: try again.
_CONFLICT = "ConditionalRequestConflict"
_PUT_ATTEMPTS = 3


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class S3BlobStore:
    """Blobs as objects ``<prefix><sha256>`` in an S3-API bucket.

    Before a write the store asks whether the object exists (then the stored copy is
    verified and kept). Writes are conditional (``If-None-Match: *``) so an object that
    appears in the meantime is never replaced, and carry ``x-amz-checksum-sha256`` so that a
    store that checks it (AWS S3, MinIO, Ceph RGW) rejects bytes damaged in transit. Every
    read verifies the SHA-256 here, whatever the store checked. Use bucket versioning or
    object lock on the provider's side for retention guarantees.
    """

    def __init__(
        self,
        *,
        bucket: str,
        prefix: str,
        endpoint_url: str | None,
        region: str,
        client: S3Client | None = None,
    ) -> None:
        if not bucket:
            raise ValueError("AMTSFLUSS_S3_BUCKET must be set for the s3 blob backend")
        self.bucket = bucket
        self.prefix = prefix
        self.client: S3Client = client or boto3.client(
            "s3", endpoint_url=endpoint_url, region_name=region
        )

    def key(self, sha256: str) -> str:
        return f"{self.prefix}{check_address(sha256)}"

    def put(self, source: IO[bytes]) -> tuple[str, int]:
        with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
            sha256, size = hash_stream(source, spool)
            checksum = base64.b64encode(bytes.fromhex(sha256)).decode()
            for attempt in range(1, _PUT_ATTEMPTS + 1):
                if self.exists(sha256):
                    verify_stored(self, sha256, size)
                    return sha256, size
                spool.seek(0)
                try:
                    self.client.put_object(
                        Bucket=self.bucket,
                        Key=self.key(sha256),
                        Body=spool,
                        ContentLength=size,
                        ChecksumSHA256=checksum,
                        IfNoneMatch="*",
                    )
                except ClientError as exc:
                    code = _error_code(exc)
                    if code == "PreconditionFailed":  # written by someone else meanwhile
                        verify_stored(self, sha256, size)
                        return sha256, size
                    if code == _CONFLICT and attempt < _PUT_ATTEMPTS:
                        continue
                    raise
                return sha256, size
        raise AssertionError("unreachable: the last attempt returns or raises")

    def open(self, sha256: str) -> VerifyingReader:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as exc:
            if _error_code(exc) in _NOT_FOUND:
                raise BlobMissing(sha256) from exc
            raise
        return VerifyingReader(response["Body"], sha256)

    def exists(self, sha256: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as exc:
            if _error_code(exc) in _NOT_FOUND:
                return False
            raise
        return True

    def addresses(self) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                name = item.get("Key", "")[len(self.prefix) :]
                if is_address(name):
                    yield name

    def check(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            raise BlobStoreUnavailable(
                f"bucket {self.bucket} is not reachable: {_error_code(exc)}"
            ) from exc
