"""``amtsfluss bescheid import|export``: a Mandant's Bescheid templates as JSON (all or nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amtsfluss.bescheid.services.vorlage_io import (
    MAX_BYTES,
    VorlagenImportError,
    vorlagen_export,
    vorlagen_import,
)
from amtsfluss.core.command_input import mandant_by_slug, read_limited


class Command(BaseCommand):
    help = "Import or export a Mandant's Bescheid templates (JSON, all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="create or change the templates of a JSON file")
        imp.add_argument("file", help="the file to import ('-' for standard input)")
        imp.add_argument("--mandant", required=True, help="short name (slug) of the Mandant")
        exp = sub.add_parser("export", help="write the templates as JSON")
        exp.add_argument("--mandant", required=True, help="short name (slug) of the Mandant")
        exp.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        mandant = mandant_by_slug(options["mandant"])
        if options["action"] == "export":
            data = vorlagen_export(mandant=mandant)
            if options["output"] is None:
                self.stdout.write(data.decode(), ending="")
                return
            try:
                Path(options["output"]).write_bytes(data)
            except OSError as exc:
                raise CommandError(f"Cannot write {options['output']}: {exc.strerror}") from exc
            return
        name = options["file"]
        try:
            count = vorlagen_import(mandant=mandant, data=read_limited(name, MAX_BYTES), by=None)
        except VorlagenImportError as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"{len(exc.problems)} problem(s) in {name}; nothing was imported", returncode=1
            ) from exc
        self.stdout.write(f"{mandant.slug}: {count} Bescheid template(s) imported")
