"""The blob store contract, the same tests for both backends, and ``amtsfluss blobs verify``.

The S3 backend talks to moto's server mode over a real socket (the S3 REST protocol, signed
requests). What moto 5.2 does *not* enforce is pinned down by the ``test_moto_*`` tests, so an
upgrade that changes it shows up here:

- ``If-None-Match: *`` on PutObject: enforced (412 PreconditionFailed), like AWS S3.
- ``x-amz-checksum-sha256`` on PutObject: NOT checked — a wrong checksum is stored without
  complaint (AWS S3, MinIO and Ceph answer 400 BadDigest). The store stays correct anyway: it
  asks ``exists`` before writing, and every read recomputes the SHA-256.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from django.core.management import CommandError, call_command
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st
from moto.server import ThreadedMotoServer

from amtsfluss.core.blobs import (
    BlobIntegrityError,
    BlobMissing,
    BlobStore,
    BlobStoreUnavailable,
    VerifyingReader,
)
from amtsfluss.core.blobs.base import CHUNK
from amtsfluss.core.blobs.filesystem import FilesystemBlobStore
from amtsfluss.core.blobs.s3 import S3BlobStore
from amtsfluss.core.models import Blob
from amtsfluss.core.services.blobs import blob_open, blob_put, blob_store, blobs_register
from amtsfluss.core.services.mandant import mandant_create
from tests.ports import free_port

REGION = "eu-central-1"
PREFIX = "blobs/"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server on a free local port, with dummy credentials in the environment."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_DEFAULT_REGION", REGION)
        env.setenv("AWS_CONFIG_FILE", os.devnull)
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
        env.delenv("AWS_PROFILE", raising=False)
        port = free_port()
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.stop()


@dataclass
class Backend:
    """A store plus raw access to its storage, to damage it the way a disk or an admin would."""

    name: str
    store: BlobStore
    settings: dict[str, str]
    raw: Any  # Path of the blob directory, or a boto3 S3 client

    def write_raw(self, sha256: str, data: bytes) -> None:
        """Put ``data`` where the blob ``sha256`` lives, bypassing the store."""
        if isinstance(self.store, FilesystemBlobStore):
            path = self.store.path(sha256)
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.exists():
                path.chmod(0o644)
            path.write_bytes(data)
        else:
            self.raw.put_object(Bucket=self.settings["S3_BUCKET"], Key=PREFIX + sha256, Body=data)

    def remove_raw(self, sha256: str) -> None:
        if isinstance(self.store, FilesystemBlobStore):
            self.store.path(sha256).unlink()
        else:
            self.raw.delete_object(Bucket=self.settings["S3_BUCKET"], Key=PREFIX + sha256)

    def read_raw(self, sha256: str) -> bytes:
        if isinstance(self.store, FilesystemBlobStore):
            return self.store.path(sha256).read_bytes()
        body = self.raw.get_object(Bucket=self.settings["S3_BUCKET"], Key=PREFIX + sha256)["Body"]
        return bytes(body.read())

    def identity(self, sha256: str) -> tuple[object, ...]:
        """What changes if the stored object is replaced (inode / S3 version and time)."""
        if isinstance(self.store, FilesystemBlobStore):
            stat = self.store.path(sha256).stat()
            return (stat.st_ino, stat.st_mtime_ns, stat.st_mode)
        head = self.raw.head_object(Bucket=self.settings["S3_BUCKET"], Key=PREFIX + sha256)
        return (head["ETag"], head["LastModified"])


def s3_client(endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=endpoint, region_name=REGION)


def new_bucket(endpoint: str) -> str:
    bucket = f"amtsfluss-{uuid.uuid4().hex[:16]}"
    s3_client(endpoint).create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    return bucket


@pytest.fixture(params=["filesystem", "s3"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "filesystem":
        root = tmp_path / "blobs"
        return Backend(
            name="filesystem",
            store=FilesystemBlobStore(root),
            settings={"BACKEND": "filesystem", "DIRECTORY": str(root)},
            raw=root,
        )
    endpoint = request.getfixturevalue("s3_endpoint")
    bucket = new_bucket(endpoint)
    return Backend(
        name="s3",
        store=S3BlobStore(bucket=bucket, prefix=PREFIX, endpoint_url=endpoint, region=REGION),
        settings={
            "BACKEND": "s3",
            "DIRECTORY": "",
            "S3_BUCKET": bucket,
            "S3_PREFIX": PREFIX,
            "S3_ENDPOINT_URL": endpoint,
            "S3_REGION": REGION,
        },
        raw=s3_client(endpoint),
    )


# --- the store contract -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b"", b"Bescheid vom 1. April", bytes(range(256)) * 4099],  # the last spans several chunks
    ids=["empty", "small", "over-1MiB"],
)
def test_put_then_open_round_trips_the_bytes(backend: Backend, content: bytes) -> None:
    address, size = backend.store.put(io.BytesIO(content))

    assert (address, size) == (sha(content), len(content))
    assert backend.store.exists(address)
    assert backend.read_raw(address) == content
    with backend.store.open(address) as reader:
        assert reader.read_all() == content
    with backend.store.open(address) as reader:
        assert b"".join(reader.chunks(size=4096)) == content
    assert list(backend.store.addresses()) == [address]


def test_put_of_the_same_content_is_idempotent(backend: Backend) -> None:
    first = backend.store.put(io.BytesIO(b"Antrag auf Sondernutzung"))
    second = backend.store.put(io.BytesIO(b"Antrag auf Sondernutzung"))

    assert first == second
    assert list(backend.store.addresses()) == [first[0]]


def test_a_second_put_never_replaces_the_stored_object(backend: Backend) -> None:
    content = b"Gewerbeanmeldung 2026/0815"
    address, _ = backend.store.put(io.BytesIO(content))
    before = backend.identity(address)

    backend.store.put(io.BytesIO(content))

    assert backend.identity(address) == before
    assert backend.read_raw(address) == content


def test_a_damaged_stored_copy_is_kept_and_reported_by_the_next_put(backend: Backend) -> None:
    content = b"Baugenehmigung Flurstueck 12/3"
    address = sha(content)
    backend.write_raw(address, b"Baugenehmigung Flurstueck 99/9")  # bit rot or tampering

    with pytest.raises(BlobIntegrityError):
        backend.store.put(io.BytesIO(content))

    assert backend.read_raw(address) == b"Baugenehmigung Flurstueck 99/9"  # evidence kept


def test_corrupted_bytes_are_detected_on_read(backend: Backend) -> None:
    content = b"Ordnungsverfuegung " * 1000
    address, _ = backend.store.put(io.BytesIO(content))
    damaged = bytearray(content)
    damaged[5000] ^= 0x01  # one flipped bit, same length
    backend.write_raw(address, bytes(damaged))

    with backend.store.open(address) as reader, pytest.raises(BlobIntegrityError):
        reader.read_all()
    with backend.store.open(address) as reader, pytest.raises(BlobIntegrityError):
        reader.read()
    with backend.store.open(address) as reader, pytest.raises(BlobIntegrityError):
        while reader.read(777):
            pass


def test_truncated_bytes_are_detected_on_read(backend: Backend) -> None:
    content = b"Widerspruchsbescheid" * 100
    address, _ = backend.store.put(io.BytesIO(content))
    backend.write_raw(address, content[:-1])

    with backend.store.open(address) as reader, pytest.raises(BlobIntegrityError):
        reader.verify()


def test_missing_blob_is_reported(backend: Backend) -> None:
    address, _ = backend.store.put(io.BytesIO(b"Meldebescheinigung"))
    backend.remove_raw(address)

    assert not backend.store.exists(address)
    with pytest.raises(BlobMissing):
        backend.store.open(address)
    with pytest.raises(BlobMissing):
        backend.store.open(sha(b"never stored"))


@pytest.mark.parametrize(
    "address",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "../" + "a" * 61,
        "a" * 64 + "/../../etc/passwd",
        "a" * 64 + "\n",
        "A" * 64,
        "a" * 63,
        "a" * 65,
        "g" * 64,
        "",
    ],
)
def test_invalid_addresses_are_rejected(backend: Backend, address: str) -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        backend.store.open(address)
    with pytest.raises(ValueError, match="SHA-256"):
        backend.store.exists(address)


def test_addresses_lists_only_blobs(backend: Backend) -> None:
    address, _ = backend.store.put(io.BytesIO(b"Niederschrift"))
    if isinstance(backend.store, FilesystemBlobStore):
        stray = backend.store.path(address).parent / "notes.txt"
        stray.write_text("not a blob")
    else:
        backend.raw.put_object(
            Bucket=backend.settings["S3_BUCKET"], Key=PREFIX + "README", Body=b""
        )

    assert list(backend.store.addresses()) == [address]


def test_concurrent_puts_of_the_same_content_store_it_once(backend: Backend) -> None:
    content = os.urandom(3 * CHUNK)
    results: list[tuple[str, int]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def put() -> None:
        try:
            barrier.wait()
            results.append(backend.store.put(io.BytesIO(content)))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=put) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert set(results) == {(sha(content), len(content))}
    assert list(backend.store.addresses()) == [sha(content)]
    with backend.store.open(sha(content)) as reader:
        assert reader.read_all() == content


def test_readiness_check_passes_on_a_usable_store(backend: Backend) -> None:
    backend.store.check()


def test_readiness_check_fails_on_an_unusable_store(backend: Backend, tmp_path: Path) -> None:
    if isinstance(backend.store, FilesystemBlobStore):
        blocker = tmp_path / "a-file"
        blocker.write_text("a regular file where the blob directory's parent should be")
        broken: BlobStore = FilesystemBlobStore(blocker / "blobs")
    else:
        broken = S3BlobStore(
            bucket="amtsfluss-no-such-bucket",
            prefix=PREFIX,
            endpoint_url=backend.settings["S3_ENDPOINT_URL"],
            region=REGION,
        )
    with pytest.raises(BlobStoreUnavailable):
        broken.check()


# --- what moto enforces -----------------------------------------------------------------------


def test_moto_enforces_if_none_match(s3_endpoint: str) -> None:
    client, bucket = s3_client(s3_endpoint), new_bucket(s3_endpoint)
    client.put_object(Bucket=bucket, Key="k", Body=b"first", IfNoneMatch="*")

    with pytest.raises(ClientError) as caught:
        client.put_object(Bucket=bucket, Key="k", Body=b"second", IfNoneMatch="*")

    assert caught.value.response["Error"]["Code"] == "PreconditionFailed"
    assert client.get_object(Bucket=bucket, Key="k")["Body"].read() == b"first"


def test_moto_does_not_check_checksum_sha256_but_our_read_does(s3_endpoint: str) -> None:
    client, bucket = s3_client(s3_endpoint), new_bucket(s3_endpoint)
    claimed = b"Rechnung 4711"
    wrong = base64.b64encode(hashlib.sha256(b"something else").digest()).decode()

    client.put_object(  # AWS S3 would answer 400 BadDigest; moto stores it
        Bucket=bucket, Key=PREFIX + sha(claimed), Body=b"Rechnung 4712", ChecksumSHA256=wrong
    )

    store = S3BlobStore(bucket=bucket, prefix=PREFIX, endpoint_url=s3_endpoint, region=REGION)
    with store.open(sha(claimed)) as reader, pytest.raises(BlobIntegrityError):
        reader.read_all()


# --- VerifyingReader as a property ------------------------------------------------------------


@given(
    content=st.binary(max_size=5000),
    sizes=st.lists(st.integers(min_value=0, max_value=700), max_size=30),
)
def test_reading_in_any_pieces_returns_the_bytes_and_verifies(
    content: bytes, sizes: list[int]
) -> None:
    reader = VerifyingReader(io.BytesIO(content), sha(content))
    pieces = [reader.read(size) for size in sizes]
    pieces.append(reader.read_all())
    assert b"".join(pieces) == content


@given(
    content=st.binary(min_size=1, max_size=5000),
    position=st.integers(min_value=0),
    sizes=st.lists(st.integers(min_value=0, max_value=700), max_size=30),
)
def test_any_flipped_bit_is_detected_however_it_is_read(
    content: bytes, position: int, sizes: list[int]
) -> None:
    damaged = bytearray(content)
    damaged[position % len(content)] ^= 0x80
    reader = VerifyingReader(io.BytesIO(bytes(damaged)), sha(content))
    with pytest.raises(BlobIntegrityError):
        for size in sizes:
            reader.read(size)
        reader.verify()


# --- amtsfluss blobs verify -------------------------------------------------------------------


def run_verify(*args: str) -> tuple[str, str, int]:
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        call_command("blobs", "verify", *args, stdout=stdout, stderr=stderr)
    except CommandError as exc:
        stderr.write(f"CommandError: {exc}\n")
        return stdout.getvalue(), stderr.getvalue(), exc.returncode
    return stdout.getvalue(), stderr.getvalue(), 0


@pytest.mark.django_db
def test_blobs_verify_reports_missing_and_corrupted_blobs(backend: Backend) -> None:
    a = mandant_create(slug="a", name="Stadt A", hosts=["a.test"], by=None)
    b = mandant_create(slug="b", name="Gemeinde B", hosts=["b.test"], by=None)
    with override_settings(AMTSFLUSS_BLOBS=backend.settings):
        blobs = [blob_store(mandant=a, content=f"Akte {n}".encode() * 500) for n in range(4)]
        shared = blob_store(mandant=b, content=b"Akte 0" * 500)  # same content, other Mandant
        other = blob_store(mandant=b, content=b"nur in B")

        stdout, stderr, code = run_verify()
        assert code == 0, stderr
        assert "5 blobs intact" in stdout
        assert "blobs verify" in stderr  # the progress bar

        corrupted, missing = blobs[1], blobs[2]
        backend.write_raw(corrupted.sha256, b"X" * corrupted.size)
        backend.remove_raw(missing.sha256)

        stdout, stderr, code = run_verify("--quiet")
        assert code == 1
        assert f"CORRUPTED: {corrupted.sha256} (Mandant a)" in stderr
        assert f"MISSING: {missing.sha256} (Mandant a)" in stderr
        assert "1 missing, 1 corrupted of 5 blobs" in stderr
        for intact in (blobs[0], blobs[3], other):
            assert intact.sha256 not in stderr
        assert shared.sha256 == blobs[0].sha256

        stdout, stderr, code = run_verify("--mandant", "b", "--quiet")
        assert code == 0, stderr
        assert "2 blobs intact" in stdout

        with blob_open(blob=blobs[0]) as reader:
            assert reader.read_all() == b"Akte 0" * 500


@pytest.mark.django_db
def test_blobs_verify_with_unknown_mandant_is_an_error() -> None:
    _stdout, stderr, code = run_verify("--mandant", "gibt-es-nicht")
    assert code == 1
    assert "Unknown Mandant 'gibt-es-nicht'" in stderr


@pytest.mark.django_db
def test_blob_store_refuses_to_register_content_whose_stored_copy_is_damaged(
    backend: Backend,
) -> None:
    a = mandant_create(slug="a", name="Stadt A", hosts=["a.test"], by=None)
    content = b"Steuerbescheid"
    backend.write_raw(sha(content), b"Steuerbescheld")
    with override_settings(AMTSFLUSS_BLOBS=backend.settings), pytest.raises(BlobIntegrityError):
        blob_store(mandant=a, content=content)
    assert not Blob.objects.filter(sha256=sha(content)).exists()


@pytest.mark.django_db
def test_registering_several_blobs_keeps_order_and_one_row_per_content() -> None:
    a = mandant_create(slug="a", name="Stadt A", hosts=["a.test"], by=None)
    b = mandant_create(slug="b", name="Gemeinde B", hosts=["b.test"], by=None)
    known = blob_store(mandant=a, content=b"schon da")
    in_b = blob_store(mandant=b, content=b"neu in A")  # the same content, another Mandant
    stored = [blob_put(content) for content in (b"neu in A", b"schon da", b"neu in A", b"x")]
    blobs = blobs_register(mandant=a, stored=stored)
    assert [blob.sha256 for blob in blobs] == [item.sha256 for item in stored]
    assert blobs[1] == known and blobs[0] == blobs[2] != in_b
    assert all(blob.mandant_id == a.pk and blob.pk for blob in blobs)
    assert blobs_register(mandant=a, stored=stored) == blobs  # again: nothing new
    assert Blob.objects.filter(mandant=a).count() == 3
