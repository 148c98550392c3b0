"""``amtsfluss dienste import|export``: a Mandant's Leistungskatalog (with forms) as JSON.

An import is all or nothing: every problem of the file is listed with its JSON path and
nothing is written; a clean file creates or changes the Leistungen in one transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amtsfluss.core.command_input import mandant_by_slug, read_limited
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import Mandant
from amtsfluss.dienste.services.katalog_io import (
    MAX_BYTES,
    KatalogImportError,
    katalog_export,
    katalog_import,
)


class Command(BaseCommand):
    help = "Import or export a Mandant's catalogue of online services (JSON, all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="create or change the Leistungen of a JSON file")
        imp.add_argument("file", help="the file to import ('-' for standard input)")
        imp.add_argument("--mandant", required=True, help="short name (slug) of the Mandant")
        exp = sub.add_parser("export", help="write the catalogue as JSON")
        exp.add_argument("--mandant", required=True, help="short name (slug) of the Mandant")
        exp.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        mandant = mandant_by_slug(options["mandant"])
        if options["action"] == "import":
            self._import(mandant, options["file"])
        else:
            self._export(mandant, options["output"])

    def _import(self, mandant: Mandant, name: str) -> None:
        try:
            result = katalog_import(mandant=mandant, data=read_limited(name, MAX_BYTES), by=None)
        except KatalogImportError as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"{len(exc.problems)} problem(s) in {name}; nothing was imported", returncode=1
            ) from exc
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"{mandant.slug}: {result.created} created, {result.changed} changed, "
            f"{result.versions} new form version(s) (SHA-256 of the file {result.sha256})"
        )

    def _export(self, mandant: Mandant, output: str | None) -> None:
        data = katalog_export(mandant=mandant)
        if output is None:
            self.stdout.write(data.decode(), ending="")
            return
        try:
            Path(output).write_bytes(data)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}") from exc
        self.stderr.write(f"Catalogue of {mandant.slug} written to {output}")
