"""``amtsfluss restore DIR``: verify a backup completely, then restore it (see core.backup)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from amtsfluss.core import audit
from amtsfluss.core.backup import BackupError, restore_backup
from amtsfluss.core.management.commands.backup import TqdmProgress, fail


class Command(BaseCommand):
    help = (
        "Restore a backup made by 'amtsfluss backup' into this installation (stop the server "
        "and workers first). Every SHA-256 is checked before anything is written. Refuses a "
        "target that holds a database or blobs unless --force."
    )
    requires_system_checks: list[str] = []  # no database access before the restore

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="the backup directory")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the database of a non-empty installation (damaged blobs present "
            "are moved to <blob dir>/quarantine/)",
        )
        parser.add_argument(
            "--allow-incomplete",
            action="store_true",
            help="restore a backup that lacks blobs which were missing or damaged when it was "
            "taken (listed in its manifest)",
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bars")

    def handle(self, *args: Any, **options: Any) -> None:
        progress = TqdmProgress(self.stderr, quiet=options["quiet"])
        try:
            result = restore_backup(
                options["directory"],
                force=options["force"],
                allow_incomplete=options["allow_incomplete"],
                progress=progress,
            )
        except BackupError as exc:
            raise fail(exc) from exc
        finally:
            progress.close()
        self.stdout.write(
            f"restored the backup of {result.manifest['created_at']} "
            f"(amtsfluss {result.manifest['amtsfluss_version']}): database, "
            f"{result.blobs_written} blobs written, {result.blobs_present} already present"
        )
        for path in result.blobs_quarantined:
            self.stderr.write(f"QUARANTINED: a damaged blob was moved to {path}")

        broken = audit.verify()
        for link in broken:
            self.stderr.write(f"BROKEN: {link}")
        if broken:
            raise CommandError(f"restored, but the audit chain is broken: {broken[0]}")
        self.stdout.write("audit chains intact")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            self.stdout.write(
                f"{len(pending)} migrations of this amtsfluss are not applied yet: "
                "run amtsfluss migrate"
            )
