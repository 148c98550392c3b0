from __future__ import annotations

import base64
import tempfile
from collections.abc import Iterator
from typing import IO, Any

import boto3
from botocore.exceptions import ClientError

from amtsfluss.core.blobs.base import BlobMissing, VerifyingReader, check_address, hash_stream


class S3BlobStore:
    """Blobs as objects ``<prefix><sha256>`` in an S3-API bucket.

    Writes are conditional (``If-None-Match: *``) so an existing object is never replaced, and
    carry a SHA-256 checksum that the store verifies on receipt. Use bucket versioning or
    object lock on the provider's side for retention guarantees.
    """

    def __init__(
        self, *, bucket: str, prefix: str, endpoint_url: str | None, region: str, client: Any = None
    ) -> None:
        if not bucket:
            raise ValueError("AMTSFLUSS_S3_BUCKET must be set for the s3 blob backend")
        self.bucket = bucket
        self.prefix = prefix
        self.client = client or boto3.client(
            "s3", endpoint_url=endpoint_url, region_name=region
        )

    def _key(self, sha256: str) -> str:
        return f"{self.prefix}{check_address(sha256)}"

    def put(self, source: IO[bytes]) -> tuple[str, int]:
        with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
            sha256, size = hash_stream(source, spool)
            if self.exists(sha256):
                return sha256, size
            spool.seek(0)
            try:
                self.client.put_object(
                    Bucket=self.bucket,
                    Key=self._key(sha256),
                    Body=spool,
                    ContentLength=size,
                    ChecksumSHA256=base64.b64encode(bytes.fromhex(sha256)).decode(),
                    IfNoneMatch="*",
                )
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code")
                if code not in {"PreconditionFailed", "ConditionalRequestConflict"}:
                    raise
        return sha256, size

    def open(self, sha256: str) -> VerifyingReader:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(sha256))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                raise BlobMissing(sha256) from exc
            raise
        return VerifyingReader(response["Body"], sha256)

    def exists(self, sha256: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(sha256))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "NotFound"}:
                return False
            raise
        return True

    def addresses(self) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                yield item["Key"][len(self.prefix) :]

    def check(self) -> None:
        self.client.head_bucket(Bucket=self.bucket)
