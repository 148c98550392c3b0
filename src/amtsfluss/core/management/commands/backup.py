"""``amtsfluss backup DIR``: a consistent backup of the embedded installation (see core.backup)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from tqdm import tqdm

from amtsfluss.core.backup import BackupError, UnsupportedInstallation, create_backup

#: exit status when the installation is PostgreSQL/S3 (use pg_dump and the provider's tools)
EXIT_UNSUPPORTED = 2


class TqdmProgress:
    """One progress bar per phase on stderr (bytes)."""

    def __init__(self, stream: OutputWrapper, *, quiet: bool) -> None:
        self.stream = cast(TextIO, stream._out)
        self.quiet = quiet
        self.bar: tqdm[Any] | None = None

    def start(self, phase: str, total: int) -> None:
        self.close()
        self.bar = tqdm(
            total=total,
            desc=phase,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            disable=self.quiet,
            file=self.stream,
        )

    def advance(self, amount: int) -> None:
        if self.bar is not None:
            self.bar.update(amount)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def fail(exc: BackupError) -> CommandError:
    if isinstance(exc, UnsupportedInstallation):
        return CommandError(str(exc), returncode=EXIT_UNSUPPORTED)
    lines = [str(exc), *(f"  - {problem}" for problem in exc.problems)]
    return CommandError("\n".join(lines), returncode=1)


class Command(BaseCommand):
    help = (
        "Back up the embedded installation (SQLite + blob directory) into DIR: the database "
        "through SQLite's online backup API, every blob, and a manifest.json with SHA-256 sums. "
        "Safe while the server runs. PostgreSQL/S3 installations: use pg_dump and the object "
        "store's versioning (exit status 2)."
    )

    requires_system_checks: list[str] = []  # reads the database file only, through sqlite3

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="new or empty directory")
        parser.add_argument(
            "--copy",
            action="store_true",
            help="copy blobs even where hard links would work (for a backup on the same disk "
            "that you then move elsewhere, hard links are fine and instant)",
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bars")

    def handle(self, *args: Any, **options: Any) -> None:
        progress = TqdmProgress(self.stderr, quiet=options["quiet"])
        try:
            result = create_backup(options["directory"], copy=options["copy"], progress=progress)
        except BackupError as exc:
            raise fail(exc) from exc
        finally:
            progress.close()
        manifest = result.manifest
        self.stdout.write(
            f"backup written to {result.directory}: database "
            f"{manifest['database']['size']} bytes, {len(manifest['blobs'])} blobs, "
            f"{len(manifest['audit_chain_heads'])} audit chains"
        )
        self.stdout.write(f"manifest.json SHA-256: {result.manifest_sha256}")
        if not result.complete:
            for sha256 in result.missing_blobs:
                self.stderr.write(f"MISSING: {sha256} (registered, not in the blob store)")
            for sha256 in result.corrupted_blobs:
                self.stderr.write(f"CORRUPTED: {sha256} (left out of the backup)")
            raise CommandError(
                f"the backup is incomplete: {len(result.missing_blobs)} missing, "
                f"{len(result.corrupted_blobs)} corrupted blobs; run amtsfluss blobs verify",
                returncode=1,
            )
