"""``amtsfluss backup`` / ``amtsfluss restore`` of the embedded installation, round trip.

The commands run as their own processes against real installations in temporary data
directories (``AMTSFLUSS_SETTINGS=embedded``, ``AMTSFLUSS_DATA_DIR``): migrate + demo + blobs +
audit events there, back up, restore into another directory, and compare the databases row by
row (``iterdump``) and the blobs byte by byte. These tests run the same on the SQLite and the
PostgreSQL test run, since the installations they create are always SQLite.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from amtsfluss.core.backup import create_backup
from amtsfluss.core.blobs.filesystem import FilesystemBlobStore
from amtsfluss.core.models import AuditChainHead, Blob
from amtsfluss.core.services.blobs import blob_store
from tests.conftest import World

DATABASE = "amtsfluss.sqlite3"
ON_SQLITE = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"

POPULATE = """
import os
from amtsfluss.core import audit
from amtsfluss.core.models import Mandant
from amtsfluss.core.services.blobs import blob_store
from amtsfluss.core.services.mandant import mandant_create

muster = Mandant.objects.get(slug="musterstadt")
beispiel = mandant_create(
    slug="beispiel", name="Gemeinde Beispiel", hosts=["beispiel.test"], by=None
)
for n in range(12):
    blob = blob_store(mandant=muster, content=f"Bescheid Nr. {n} – Straße".encode() * (n + 1))
    audit.record(
        mandant=muster, actor=None, action="dokument.store", object_type="core.blob",
        object_id=blob.sha256[:16], details={"n": n, "größe": blob.size},
    )
blob_store(mandant=beispiel, content="Bescheid Nr. 0 – Straße".encode())  # shared content
blob_store(mandant=beispiel, content=b"")
blob_store(mandant=beispiel, content=os.urandom(3 * 1024 * 1024 + 7))
audit.record(mandant=beispiel, actor=None, action="akte.read", details={"grund": "Prüfung"})
"""

WRITE_FOREVER = """
import itertools, os
from amtsfluss.core import audit
from amtsfluss.core.models import Mandant
from amtsfluss.core.services.blobs import blob_store

muster = Mandant.objects.get(slug="musterstadt")
print("writing", flush=True)
for n in itertools.count():
    blob = blob_store(mandant=muster, content=os.urandom(2048) + str(n).encode())
    audit.record(mandant=muster, actor=None, action="dokument.store", object_id=str(n))
    audit.record(mandant=None, actor=None, action="platform.tick", object_id=str(n))
"""


def amtsfluss_env(data_dir: Path) -> dict[str, str]:
    """An embedded installation in ``data_dir``; nothing of the test settings leaks in."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AMTSFLUSS_", "DJANGO_", "AWS_")) and key != "DATABASE_URL"
    }
    env.update(AMTSFLUSS_SETTINGS="embedded", AMTSFLUSS_DATA_DIR=str(data_dir))
    return env


def amtsfluss(
    data_dir: Path, *args: str, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "amtsfluss.cli", *args],
        env={**amtsfluss_env(data_dir), **(extra_env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, f"{result.args}\n{result.stdout}\n{result.stderr}"
    return result


def dump(database: Path) -> list[str]:
    with sqlite3.connect(database) as db:
        return list(db.iterdump())


def blob_files(data_dir: Path) -> dict[str, bytes]:
    root = data_dir / "blobs"
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.glob("[0-9a-f][0-9a-f]/[0-9a-f][0-9a-f]/*"))
    }


def installed(data_dir: Path) -> tuple[bool, list[str]]:
    """Whether a data directory holds a database, and which blob files."""
    return (data_dir / DATABASE).exists(), list(blob_files(data_dir))


def registered(data_dir: Path) -> set[str]:
    with sqlite3.connect(data_dir / DATABASE) as db:
        return {sha256 for (sha256,) in db.execute("SELECT sha256 FROM core_blob")}


@dataclass
class Source:
    data: Path
    backup: Path


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Source:
    """An embedded installation with the demo, blobs and audit events, and its backup."""
    data = tmp_path_factory.mktemp("source")
    ok(amtsfluss(data, "migrate", "--no-input"))
    ok(amtsfluss(data, "demo"))
    ok(amtsfluss(data, "shell", "-c", POPULATE))
    backup = tmp_path_factory.mktemp("backups") / "2026-11-22"
    result = ok(amtsfluss(data, "backup", str(backup)))
    assert "backup written to" in result.stdout
    assert "manifest.json SHA-256:" in result.stdout
    assert "blobs" in result.stderr  # the progress bar
    return Source(data=data, backup=backup)


def tampered_copy(source: Source, tmp_path: Path) -> Path:
    """A copy of the backup to damage (copies, not links: the original stays intact)."""
    copy = tmp_path / "backup-copy"
    shutil.copytree(source.backup, copy)
    return copy


def writable(path: Path) -> Path:
    path.chmod(0o644)
    return path


# --- the round trip ---------------------------------------------------------------------------


def test_manifest_describes_the_backup(source: Source) -> None:
    manifest = json.loads((source.backup / "manifest.json").read_text())
    database = source.backup / DATABASE

    assert manifest["format"] == "amtsfluss-backup"
    assert manifest["format_version"] == 1
    assert manifest["amtsfluss_version"] == "0.1.0"
    assert manifest["created_at"].endswith("+00:00")
    assert manifest["database"]["size"] == database.stat().st_size
    assert manifest["database"]["sha256"] == hashlib.sha256(database.read_bytes()).hexdigest()
    assert {b["sha256"]: b["size"] for b in manifest["blobs"]} == {
        name.rsplit("/", 1)[1]: len(content) for name, content in blob_files(source.data).items()
    }
    assert {b["sha256"] for b in manifest["blobs"]} == registered(source.data)
    assert len(manifest["blobs"]) >= 14  # 12 + the empty one + the large one (one is shared)
    assert manifest["referenced_blobs"] == len(manifest["blobs"])
    with sqlite3.connect(source.data / DATABASE) as db:
        rows = db.execute("SELECT chain, seq, hash FROM core_auditchainhead").fetchall()
    heads = {chain: {"seq": seq, "hash": hash_} for chain, seq, hash_ in rows}
    assert manifest["audit_chain_heads"] == heads
    assert set(heads) >= {"platform", "mandant-1", "mandant-2"}
    assert manifest["missing_blobs"] == manifest["corrupted_blobs"] == []
    assert "0002_audit_append_only" in manifest["migrations"]["core"]
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)


def test_restore_into_a_fresh_installation_is_identical(source: Source, tmp_path: Path) -> None:
    target = tmp_path / "restored"

    result = ok(amtsfluss(target, "restore", str(source.backup)))

    assert "audit chains intact" in result.stdout
    count = len(registered(source.data))
    assert f"{count} blobs written, 0 already present" in result.stdout
    assert dump(target / DATABASE) == dump(source.data / DATABASE)
    assert blob_files(target) == blob_files(source.data)
    assert "audit chain intact" in ok(amtsfluss(target, "audit", "verify")).stdout
    assert f"{count} blobs intact" in ok(amtsfluss(target, "blobs", "verify")).stdout


def copy_installation(source: Source, target: Path) -> Path:
    """A second installation with the source's data (nothing writes to the source any more).

    The source's WAL is first checkpointed into the database file and the WAL and shared-memory
    files are not copied: a WAL that SQLite removes while the last connection of an earlier
    command closes must not be copied half-way (it made this copy fail now and then).
    """
    with sqlite3.connect(source.data / DATABASE) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    shutil.copytree(source.data, target, ignore=shutil.ignore_patterns("*-wal", "*-shm"))
    return target


def test_restore_refuses_a_non_empty_installation_unless_forced(
    source: Source, tmp_path: Path
) -> None:
    other = copy_installation(source, tmp_path / "other")
    ok(amtsfluss(other, "mandant", "create", "extra", "--name", "Extra", "--host", "extra.test"))
    own_blob, _ = FilesystemBlobStore(other / "blobs").put(io.BytesIO(b"nur hier"))
    before = dump(other / DATABASE)
    assert before != dump(source.data / DATABASE)

    refused = amtsfluss(other, "restore", str(source.backup))
    assert refused.returncode == 1
    assert "not empty" in refused.stderr
    assert "nothing was restored" in refused.stderr
    assert dump(other / DATABASE) == before

    forced = ok(amtsfluss(other, "restore", "--force", str(source.backup)))
    assert "audit chains intact" in forced.stdout
    assert dump(other / DATABASE) == dump(source.data / DATABASE)
    restored = blob_files(other)
    assert {name: restored[name] for name in blob_files(source.data)} == blob_files(source.data)
    assert FilesystemBlobStore(other / "blobs").exists(own_blob)  # write-once: nothing removed


def test_restore_refuses_while_a_worker_of_the_target_is_running(
    source: Source, tmp_path: Path
) -> None:
    other = copy_installation(source, tmp_path / "running")
    with sqlite3.connect(other / DATABASE) as db:
        db.execute(
            "INSERT INTO core_workerheartbeat (worker_id, hostname, pid, started_at, last_seen)"
            " VALUES ('w1', 'app1', 4711, datetime('now'), strftime('%Y-%m-%d %H:%M:%f', 'now'))"
        )
    before = dump(other / DATABASE)

    refused = amtsfluss(other, "restore", "--force", str(source.backup))

    assert refused.returncode == 1
    assert "stop the server and every worker" in refused.stderr
    assert dump(other / DATABASE) == before


def test_forced_restore_quarantines_a_damaged_blob_and_stores_the_good_copy(
    source: Source, tmp_path: Path
) -> None:
    target = tmp_path / "target"
    ok(amtsfluss(target, "restore", str(source.backup)))
    name, content = next(iter(blob_files(source.data).items()))
    writable(target / "blobs" / name).write_bytes(b"bit rot")

    forced = ok(amtsfluss(target, "restore", "--force", str(source.backup)))

    assert "QUARANTINED" in forced.stderr
    present = len(registered(source.data)) - 1
    assert f"1 blobs written, {present} already present" in forced.stdout
    assert blob_files(target)[name] == content
    [quarantined] = (target / "blobs" / "quarantine").iterdir()
    assert quarantined.read_bytes() == b"bit rot"


# --- a damaged backup is refused before anything is written -----------------------------------


def flip_a_blob(backup: Path) -> str:
    victim = sorted((backup / "blobs").glob("*/*/*"))[3]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    writable(victim).write_bytes(bytes(data))
    return f"blob {victim.name}: content does not match"


def remove_a_blob(backup: Path) -> str:
    victim = sorted((backup / "blobs").glob("*/*/*"))[0]
    victim.unlink()
    return f"blob {victim.name}: missing from the backup"


def edit_manifest(backup: Path, change: str) -> str:
    path = backup / "manifest.json"
    manifest = json.loads(path.read_text())
    entry = manifest["blobs"][1]
    if change == "size":
        entry["size"] += 1
        message = f"blob {entry['sha256']}: {entry['size'] - 1} bytes, the manifest says"
    elif change == "sha256":
        original = entry["sha256"]
        entry["sha256"] = "0" * 64
        message = f"blob {original}: the database refers to it, the backup lacks it"
    else:
        manifest["audit_chain_heads"]["platform"]["seq"] += 1
        message = "audit chain heads differ from the manifest"
    path.write_text(json.dumps(manifest))
    return message


def flip_the_database(backup: Path) -> str:
    database = backup / DATABASE
    data = bytearray(database.read_bytes())
    data[-100] ^= 0xFF
    database.write_bytes(bytes(data))
    return "database: SHA-256"


def drop_the_manifest(backup: Path) -> str:
    (backup / "manifest.json").unlink()
    return "holds no manifest.json"


TAMPERING = {
    "blob-bytes-changed": flip_a_blob,
    "blob-removed": remove_a_blob,
    "manifest-blob-size-edited": lambda backup: edit_manifest(backup, "size"),
    "manifest-blob-hash-edited": lambda backup: edit_manifest(backup, "sha256"),
    "manifest-chain-head-edited": lambda backup: edit_manifest(backup, "head"),
    "database-byte-flipped": flip_the_database,
    "manifest-removed": drop_the_manifest,
}


@pytest.mark.parametrize("case", list(TAMPERING))
def test_restore_refuses_a_damaged_backup_and_touches_nothing(
    source: Source, tmp_path: Path, case: str
) -> None:
    backup = tampered_copy(source, tmp_path)
    expected = TAMPERING[case](backup)
    target = tmp_path / "target"

    refused = amtsfluss(target, "restore", str(backup))

    assert refused.returncode == 1, refused.stdout
    assert expected in refused.stderr
    assert installed(target) == (False, [])


# --- backing up ---------------------------------------------------------------------------------


def test_backup_while_the_installation_is_written_to_is_consistent(
    source: Source, tmp_path: Path
) -> None:
    data = copy_installation(source, tmp_path / "busy")
    writer = subprocess.Popen(
        [sys.executable, "-m", "amtsfluss.cli", "shell", "-c", WRITE_FOREVER],
        env=amtsfluss_env(data),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        while (line := writer.stdout.readline()) and line.strip() != "writing":
            pass  # Django's shell first reports its automatic imports
        assert line.strip() == "writing", writer.stderr.read() if writer.stderr else ""
        backups = []
        for n in range(2):  # snapshots in the middle of the writes
            time.sleep(1)
            backup = tmp_path / f"backup-{n}"
            ok(amtsfluss(data, "backup", "--quiet", str(backup)))
            backups.append(backup)
        assert writer.poll() is None, writer.stderr.read() if writer.stderr else ""
    finally:
        writer.send_signal(signal.SIGTERM)
        writer.wait(timeout=30)

    heads = []
    for n, backup in enumerate(backups):
        target = tmp_path / f"restored-{n}"
        # restore checks every blob the snapshot refers to, then verifies the audit chains
        restored = ok(amtsfluss(target, "restore", "--quiet", str(backup)))
        assert "audit chains intact" in restored.stdout
        manifest = json.loads((backup / "manifest.json").read_text())
        assert manifest["missing_blobs"] == []
        heads.append(manifest["audit_chain_heads"]["platform"]["seq"])
    assert heads[0] < heads[1]  # the writer was busy in between


def test_backup_refuses_a_directory_that_is_not_empty(source: Source, tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "something").write_text("x")

    refused = amtsfluss(source.data, "backup", str(tmp_path / "full"))

    assert refused.returncode == 1
    assert "is not an empty directory" in refused.stderr
    assert list((tmp_path / "full").iterdir()) == [tmp_path / "full" / "something"]


def test_backup_of_a_store_with_a_missing_blob_is_written_but_reported(
    source: Source, tmp_path: Path
) -> None:
    data = copy_installation(source, tmp_path / "damaged")
    victim = sorted((data / "blobs").glob("*/*/*"))[2]
    victim.unlink()

    result = amtsfluss(data, "backup", str(tmp_path / "backup"))

    assert result.returncode == 1
    assert f"MISSING: {victim.name}" in result.stderr
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["missing_blobs"] == [victim.name]

    refused = amtsfluss(tmp_path / "t1", "restore", str(tmp_path / "backup"))
    assert refused.returncode == 1
    assert "--allow-incomplete" in refused.stderr
    allowed = amtsfluss(tmp_path / "t2", "restore", "--allow-incomplete", str(tmp_path / "backup"))
    assert allowed.returncode == 0, allowed.stderr
    blobs = amtsfluss(tmp_path / "t2", "blobs", "verify", "--quiet")
    assert blobs.returncode == 1
    assert f"MISSING: {victim.name}" in blobs.stderr


def test_backup_refuses_a_database_that_is_not_migrated(tmp_path: Path) -> None:
    result = amtsfluss(tmp_path / "empty", "backup", str(tmp_path / "backup"))
    assert result.returncode == 1
    assert "no database at" in result.stderr
    assert not (tmp_path / "backup").exists()


@pytest.mark.parametrize(
    ("environment", "what"),
    [
        (
            {
                "DATABASE_URL": "postgres://amtsfluss@127.0.0.1:5432/amtsfluss_nowhere",
                "AMTSFLUSS_BLOB_BACKEND": "s3",
                "AMTSFLUSS_S3_BUCKET": "amtsfluss-blobs",
            },
            "This installation uses PostgreSQL and S3 object storage.",
        ),
        (
            {"DATABASE_URL": "postgres://amtsfluss@127.0.0.1:5432/amtsfluss_nowhere"},
            "This installation uses PostgreSQL and blobs in",
        ),
        (
            {"AMTSFLUSS_BLOB_BACKEND": "s3", "AMTSFLUSS_S3_BUCKET": "amtsfluss-blobs"},
            "This installation uses a SQLite database and S3 object storage.",
        ),
    ],
)
@pytest.mark.parametrize("command", ["backup", "restore"])
def test_postgresql_and_s3_installations_are_pointed_to_their_tools(
    tmp_path: Path, environment: dict[str, str], what: str, command: str
) -> None:
    result = amtsfluss(tmp_path / "data", command, str(tmp_path / "dir"), extra_env=environment)

    assert result.returncode == 2
    assert what in result.stderr
    assert "docs/operations.md" in result.stderr
    if "DATABASE_URL" in environment:
        assert "pg_dump --format=custom" in result.stderr
    if "AMTSFLUSS_S3_BUCKET" in environment:
        assert "bucket amtsfluss-blobs with the object store's versioning" in result.stderr
    assert "Take the database first and the blobs afterwards" in result.stderr
    assert not (tmp_path / "dir").exists()


# --- in-process: the test database with the ``world`` fixture --------------------------------


@pytest.fixture
def world_with_blobs(world: World) -> Iterator[World]:
    for n in range(5):
        blob_store(mandant=world.a, content=f"Akte A-{n}".encode())
    blob_store(mandant=world.b, content=b"Akte B")
    yield world


@pytest.mark.skipif(
    not ON_SQLITE,
    reason="backup covers the SQLite installation; the PostgreSQL run checks the refusal "
    "(test_postgresql_and_s3_installations_are_pointed_to_their_tools)",
)
@pytest.mark.django_db(transaction=True)
def test_world_backed_up_in_process_restores_identically(
    world_with_blobs: World, tmp_path: Path
) -> None:
    result = create_backup(tmp_path / "backup")
    assert result.complete
    heads = {h.chain: {"seq": h.seq, "hash": h.hash} for h in AuditChainHead.objects.all()}
    assert result.manifest["audit_chain_heads"] == heads
    assert {b["sha256"] for b in result.manifest["blobs"]} >= set(
        Blob.objects.values_list("sha256", flat=True)
    )

    target = tmp_path / "restored"
    ok(amtsfluss(target, "restore", str(tmp_path / "backup")))

    assert dump(target / DATABASE) == dump(Path(str(settings.DATABASES["default"]["NAME"])))
    ok(amtsfluss(target, "audit", "verify", "--quiet"))
    ok(amtsfluss(target, "blobs", "verify", "--quiet"))
