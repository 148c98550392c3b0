"""Backup and restore of the embedded installation: the SQLite database and the blob directory.

A backup is a directory::

    manifest.json         format, amtsfluss version, time, SHA-256 of everything below,
                          applied migrations, audit chain heads
    amtsfluss.sqlite3     the database, taken with SQLite's online backup API
    blobs/ab/cd/<sha256>  every blob of the store (hard links where possible, else copies)

The database is copied first, in one step of the backup API: a consistent snapshot, even
while web processes and workers write (WAL mode keeps them running meanwhile). The blobs are
taken afterwards; since a blob is always stored before the row that refers to it, every blob
the snapshot refers to is in the store by then. The manifest is written last and the
directory gets its final name only when complete, so a directory with a manifest is a whole
backup.

Restore checks every SHA-256 in the manifest, the database's integrity, its audit chain heads
and its migrations *before* it writes anything, then stores the blobs (through the store: write
once, verified) and finally the database (again through the backup API, which is safe even if
an old database file with a WAL is in the way).

PostgreSQL and S3 installations are refused with :data:`UNSUPPORTED_HINT`: they have better
tools (``pg_dump``, continuous archiving, bucket versioning and replication).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db.migrations.loader import MigrationLoader

from amtsfluss.core.blobs import BlobIntegrityError, is_address
from amtsfluss.core.blobs.base import CHUNK
from amtsfluss.core.blobs.filesystem import FilesystemBlobStore

FORMAT = "amtsfluss-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_FILE = "amtsfluss.sqlite3"
BLOBS_DIR = "blobs"
SQLITE_ENGINE = "django.db.backends.sqlite3"

UNSUPPORTED_HINT = """\
amtsfluss backup and restore cover the embedded installation only: a SQLite database and blobs \
in a directory. This installation uses {what}. Back it up with the tools made for that:
{steps}
Take the database first and the blobs afterwards: a blob is always stored before the rows that \
refer to it, so a later blob copy holds everything the database copy refers to.
See docs/operations.md, section "Backup and restore"."""

STEP_PG_DUMP = (
    "  - the database with pg_dump, e.g. pg_dump --format=custom --file=amtsfluss.dump "
    '"$DATABASE_URL" (or continuous WAL archiving, or your provider\'s database snapshots);'
)
STEP_SQLITE = "  - the SQLite database {name} with: sqlite3 {name} \".backup 'amtsfluss.sqlite3'\";"
STEP_S3 = (
    "  - the blobs in bucket {bucket} with the object store's versioning, replication or "
    "snapshots (objects are never overwritten, so versioning keeps every one);"
)
STEP_DIRECTORY = (
    "  - the blob directory {directory} with a file copy (rsync -a, file system snapshot);"
)


class BackupError(Exception):
    """A backup or restore that cannot go on; ``problems`` lists every reason found."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class UnsupportedInstallation(BackupError):
    """Not the embedded installation (PostgreSQL and/or S3)."""


class Progress(Protocol):
    def start(self, phase: str, total: int) -> None: ...

    def advance(self, amount: int) -> None: ...


class _NoProgress:
    def start(self, phase: str, total: int) -> None:
        pass

    def advance(self, amount: int) -> None:
        pass


@dataclass(frozen=True)
class Installation:
    database: Path
    store: FilesystemBlobStore
    busy_timeout: float


def embedded_installation() -> Installation:
    """The configured SQLite file and blob directory, or UnsupportedInstallation."""
    database: dict[str, Any] = dict(settings.DATABASES["default"])
    blobs: dict[str, Any] = dict(settings.AMTSFLUSS_BLOBS)
    engine, backend = str(database["ENGINE"]), str(blobs["BACKEND"])
    if engine == SQLITE_ENGINE and backend == "filesystem" and str(database["NAME"]) != ":memory:":
        timeout = float(database.get("OPTIONS", {}).get("timeout", 20))
        return Installation(
            database=Path(database["NAME"]),
            store=FilesystemBlobStore(blobs["DIRECTORY"]),
            busy_timeout=timeout,
        )
    what, steps = [], []
    if engine == SQLITE_ENGINE:
        what.append("a SQLite database")
        steps.append(STEP_SQLITE.format(name=database["NAME"]))
    else:
        what.append("PostgreSQL" if "postgresql" in engine else engine)
        steps.append(STEP_PG_DUMP)
    if backend == "filesystem":
        what.append(f"blobs in {blobs['DIRECTORY']}")
        steps.append(STEP_DIRECTORY.format(directory=blobs["DIRECTORY"]))
    else:
        what.append("S3 object storage" if backend == "s3" else f"the {backend!r} blob backend")
        steps.append(STEP_S3.format(bucket=blobs.get("S3_BUCKET") or "(AMTSFLUSS_S3_BUCKET)"))
    raise UnsupportedInstallation(
        UNSUPPORTED_HINT.format(what=" and ".join(what), steps="\n".join(steps))
    )


# --- helpers ----------------------------------------------------------------------------------


def file_sha256(path: Path, progress: Progress | None = None) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if progress is not None:
                progress.advance(len(chunk))
    return digest.hexdigest(), size


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _blob_path(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256[2:4] / sha256


@contextlib.contextmanager
def _sqlite(
    path: Path | str, *, uri: bool = False, timeout: float = 20
) -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(path, uri=uri, timeout=timeout, isolation_level=None)
    try:
        yield db
    finally:
        db.close()


def _read_only_uri(path: Path) -> str:
    """A URI that opens a backup copy without creating -wal/-shm files next to it."""
    return f"{path.resolve().as_uri()}?mode=ro&immutable=1"


@dataclass(frozen=True)
class Snapshot:
    """What a database copy holds, read with plain sqlite3 (no Django connection)."""

    referenced_blobs: dict[str, int]
    audit_chain_heads: dict[str, dict[str, Any]]
    migrations: dict[str, list[str]]


def read_snapshot(db: sqlite3.Connection) -> Snapshot:
    check = db.execute("PRAGMA integrity_check").fetchall()
    if check != [("ok",)]:
        raise BackupError("the database copy is damaged", [str(row[0]) for row in check[:20]])
    blobs = {sha: size for sha, size in db.execute("SELECT sha256, size FROM core_blob")}
    heads = {
        chain: {"seq": seq, "hash": hash_}
        for chain, seq, hash_ in db.execute(
            "SELECT chain, seq, hash FROM core_auditchainhead ORDER BY chain"
        )
    }
    migrations: dict[str, list[str]] = {}
    for app, name in db.execute("SELECT app, name FROM django_migrations ORDER BY app, name"):
        migrations.setdefault(app, []).append(name)
    return Snapshot(referenced_blobs=blobs, audit_chain_heads=heads, migrations=migrations)


def amtsfluss_version() -> str:
    try:
        return metadata.version("amtsfluss")
    except metadata.PackageNotFoundError:
        return "unknown"


# --- backup -----------------------------------------------------------------------------------


@dataclass
class BackupResult:
    directory: Path
    manifest: dict[str, Any]
    manifest_sha256: str
    missing_blobs: list[str] = field(default_factory=list)
    corrupted_blobs: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing_blobs and not self.corrupted_blobs


def _snapshot_database(installation: Installation, target: Path) -> Snapshot:
    if not installation.database.is_file():
        raise BackupError(f"no database at {installation.database} (run amtsfluss migrate first)")
    with (
        _sqlite(installation.database, timeout=installation.busy_timeout) as source,
        _sqlite(target) as copy,
    ):
        source.backup(copy, pages=-1)  # one step: a single consistent read transaction
        copy.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal beside it
        try:
            snapshot = read_snapshot(copy)
        except sqlite3.DatabaseError as exc:
            raise BackupError(
                f"{installation.database} is not an amtsfluss database ({exc}); "
                "run amtsfluss migrate first"
            ) from exc
    _fsync(target)
    return snapshot


def _place_blob(source: Path, target: Path, *, copy: bool) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if not copy:
        try:
            os.link(source, target)  # blobs are read-only and never rewritten: sharing is safe
            return
        except OSError:  # another file system, or no hard links there: copy instead
            pass
    shutil.copyfile(source, target)
    os.chmod(target, 0o444)
    _fsync(target)


def create_backup(
    target: Path, *, copy: bool = False, progress: Progress | None = None
) -> BackupResult:
    """Write a complete backup into ``target`` (which must not exist or be empty)."""
    installation = embedded_installation()
    progress = progress or _NoProgress()
    target = target.resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} exists and is not an empty directory")
    target.parent.mkdir(parents=True, exist_ok=True)
    work = target.parent / f".{target.name}.partial-{os.getpid()}"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir()
    try:
        database = work / DATABASE_FILE
        snapshot = _snapshot_database(installation, database)
        db_sha256, db_size = file_sha256(database)

        stored = {
            sha256: _blob_path(installation.store.root, sha256).stat().st_size
            for sha256 in installation.store.addresses()
        }
        progress.start("blobs", sum(stored.values()))
        blobs, corrupted = [], []
        for sha256 in sorted(stored):
            placed = _blob_path(work / BLOBS_DIR, sha256)
            _place_blob(_blob_path(installation.store.root, sha256), placed, copy=copy)
            actual, actual_size = file_sha256(placed, progress)
            if actual != sha256:
                placed.unlink()
                corrupted.append(sha256)
                continue
            blobs.append({"sha256": sha256, "size": actual_size})
        for directory in sorted(work.glob(f"{BLOBS_DIR}/**/"), reverse=True):
            _fsync(directory)  # the new directory entries, deepest first
        missing = sorted(set(snapshot.referenced_blobs) - set(stored))

        manifest: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "amtsfluss_version": amtsfluss_version(),
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": {
                "engine": "sqlite",
                "file": DATABASE_FILE,
                "sha256": db_sha256,
                "size": db_size,
            },
            "migrations": snapshot.migrations,
            "audit_chain_heads": snapshot.audit_chain_heads,
            "blobs": blobs,
            "referenced_blobs": len(snapshot.referenced_blobs),
            "missing_blobs": missing,
            "corrupted_blobs": corrupted,
        }
        encoded = json.dumps(manifest, indent=2, ensure_ascii=False).encode() + b"\n"
        with (work / MANIFEST).open("wb") as handle:
            handle.write(encoded)
            handle.flush()
            os.fsync(handle.fileno())
        _fsync(work)
        if target.exists():
            target.rmdir()  # empty, checked above
        os.rename(work, target)
        _fsync(target.parent)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return BackupResult(
        directory=target,
        manifest=manifest,
        manifest_sha256=hashlib.sha256(encoded).hexdigest(),
        missing_blobs=missing,
        corrupted_blobs=corrupted,
    )


# --- verify and restore -----------------------------------------------------------------------


def read_manifest(source: Path) -> dict[str, Any]:
    path = source / MANIFEST
    if not path.is_file():
        raise BackupError(f"{source} holds no {MANIFEST}: not a backup, or an incomplete one")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not an amtsfluss backup manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"backup format version {manifest.get('format_version')!r} is not supported "
            f"(this amtsfluss reads version {FORMAT_VERSION})"
        )
    shape = {
        "database": dict,
        "blobs": list,
        "missing_blobs": list,
        "corrupted_blobs": list,
        "audit_chain_heads": dict,
        "migrations": dict,
    }
    wrong = [key for key, kind in shape.items() if not isinstance(manifest.get(key), kind)]
    if wrong:
        raise BackupError(f"{path} is damaged: {', '.join(wrong)} missing or of the wrong type")
    return manifest


def _check_blob_entries(source: Path, manifest: dict[str, Any], progress: Progress) -> list[str]:
    problems: list[str] = []
    entries: list[Any] = manifest["blobs"]
    sizes = [e["size"] for e in entries if isinstance(e, dict) and isinstance(e.get("size"), int)]
    progress.start("verify", sum(sizes))
    for entry in entries:
        sha256 = entry.get("sha256") if isinstance(entry, dict) else None
        if not is_address(sha256) or not isinstance(entry.get("size"), int):
            problems.append(f"manifest: invalid blob entry {entry!r}")
            continue
        path = _blob_path(source / BLOBS_DIR, sha256)
        if not path.is_file():
            problems.append(f"blob {sha256}: missing from the backup")
            continue
        actual, size = file_sha256(path, progress)
        if actual != sha256:
            problems.append(f"blob {sha256}: content does not match its SHA-256 (now {actual})")
        elif size != entry["size"]:
            problems.append(f"blob {sha256}: {size} bytes, the manifest says {entry['size']}")
    return problems


def verify_backup(source: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Check a backup completely; return its manifest or raise BackupError with every problem."""
    progress = progress or _NoProgress()
    manifest = read_manifest(source)
    problems: list[str] = []
    database = source / DATABASE_FILE
    expected = manifest.get("database") or {}
    snapshot: Snapshot | None = None
    if not database.is_file():
        problems.append(f"database: {DATABASE_FILE} missing from the backup")
    else:
        actual, size = file_sha256(database)
        if (actual, size) != (expected.get("sha256"), expected.get("size")):
            problems.append(
                f"database: SHA-256 {actual} ({size} bytes) does not match the manifest "
                f"({expected.get('sha256')}, {expected.get('size')} bytes)"
            )
        else:
            try:
                with _sqlite(_read_only_uri(database), uri=True) as db:
                    snapshot = read_snapshot(db)
            except (BackupError, sqlite3.DatabaseError) as exc:
                problems.append(f"database: {exc}")

    problems += _check_blob_entries(source, manifest, progress)

    if snapshot is not None:
        in_backup = {e.get("sha256") for e in manifest.get("blobs", []) if isinstance(e, dict)}
        declared_missing = set(manifest.get("missing_blobs", []))
        for sha256 in sorted(set(snapshot.referenced_blobs) - in_backup - declared_missing):
            problems.append(f"blob {sha256}: the database refers to it, the backup lacks it")
        if snapshot.audit_chain_heads != manifest.get("audit_chain_heads"):
            problems.append("database: its audit chain heads differ from the manifest's")
        if snapshot.migrations != manifest.get("migrations"):
            problems.append("database: its applied migrations differ from the manifest's")
        known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
        unknown = sorted(
            f"{app}.{name}"
            for app, names in snapshot.migrations.items()
            for name in names
            if (app, name) not in known
        )
        if unknown:
            problems.append(
                f"the backup comes from a newer amtsfluss ({manifest.get('amtsfluss_version')}); "
                f"this one ({amtsfluss_version()}) lacks the migrations {', '.join(unknown)}"
            )
    if problems:
        raise BackupError(f"the backup in {source} does not verify; nothing was restored", problems)
    return manifest


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    blobs_written: int = 0
    blobs_present: int = 0
    blobs_quarantined: list[Path] = field(default_factory=list)


def _installation_in_use(installation: Installation) -> list[str]:
    found = []
    for path in (installation.database, Path(f"{installation.database}-wal")):
        if path.is_file() and path.stat().st_size > 0:
            found.append(f"database {path}")
    if next(installation.store.addresses(), None) is not None:
        found.append(f"blobs in {installation.store.root}")
    return found


def _running_worker(installation: Installation) -> str:
    """The last heartbeat if a worker reported recently (the database is in use), else ""."""
    if not installation.database.is_file():
        return ""
    try:
        with _sqlite(installation.database, timeout=installation.busy_timeout) as db:
            row = db.execute("SELECT max(last_seen) FROM core_workerheartbeat").fetchone()
    except sqlite3.DatabaseError:
        return ""  # no amtsfluss database there (or a damaged one): nothing runs on it
    if not row or not row[0]:
        return ""
    last_seen = datetime.fromisoformat(str(row[0]))
    if last_seen.tzinfo is None:
        last_seen = last_seen.replace(tzinfo=UTC)  # Django stores UTC without an offset
    age = (datetime.now(UTC) - last_seen).total_seconds()
    if age > settings.AMTSFLUSS_WORKER_STALE_SECONDS:
        return ""
    return f"{int(age)} seconds ago"


def restore_backup(
    source: Path,
    *,
    force: bool = False,
    allow_incomplete: bool = False,
    progress: Progress | None = None,
) -> RestoreResult:
    """Verify the backup in ``source``, then restore blobs and database into this installation.

    Stop web processes and workers first. Without ``force`` the target must hold no database
    and no blobs. With ``force`` the database is replaced; blobs already present are kept when
    intact and moved to ``<blob dir>/quarantine/`` when damaged.
    """
    installation = embedded_installation()
    progress = progress or _NoProgress()
    source = source.resolve()
    manifest = verify_backup(source, progress)
    incomplete = manifest.get("missing_blobs", []) + manifest.get("corrupted_blobs", [])
    if incomplete and not allow_incomplete:
        raise BackupError(
            f"the backup lacks {len(incomplete)} blobs that were missing or damaged when it was "
            "taken; restore it anyway with --allow-incomplete",
            [f"blob {sha256}: not in the backup" for sha256 in incomplete],
        )
    in_use = _installation_in_use(installation)
    running = _running_worker(installation)
    if running:
        raise BackupError(
            f"a worker of this installation reported {running}; stop the server and every "
            "worker before a restore (nothing was restored)"
        )
    if in_use and not force:
        raise BackupError(
            "the target installation is not empty; nothing was restored (use --force to "
            "replace it)",
            in_use,
        )

    result = RestoreResult(manifest=manifest)
    store = installation.store
    progress.start("restore", sum(entry["size"] for entry in manifest["blobs"]))
    for entry in manifest["blobs"]:
        sha256 = entry["sha256"]
        if store.exists(sha256):
            try:
                with store.open(sha256) as reader:
                    reader.verify()
                result.blobs_present += 1
                progress.advance(entry["size"])
                continue
            except BlobIntegrityError:
                result.blobs_quarantined.append(store.quarantine(sha256))
        with _blob_path(source / BLOBS_DIR, sha256).open("rb") as handle:
            stored, _size = store.put(handle)
        if stored != sha256:  # the file changed after verify_backup read it
            raise BackupError(f"blob {sha256} changed while it was restored ({stored})")
        result.blobs_written += 1
        progress.advance(entry["size"])

    installation.database.parent.mkdir(parents=True, exist_ok=True)
    with (
        _sqlite(_read_only_uri(source / DATABASE_FILE), uri=True) as backup_copy,
        _sqlite(installation.database, timeout=installation.busy_timeout) as live,
    ):
        backup_copy.backup(live, pages=-1)
        live.execute("PRAGMA journal_mode=WAL")
        restored = read_snapshot(live)
    if restored.audit_chain_heads != manifest["audit_chain_heads"]:
        raise BackupError("the restored database's audit chain heads differ from the manifest")
    return result
