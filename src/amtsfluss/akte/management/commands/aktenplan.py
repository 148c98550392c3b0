"""``amtsfluss aktenplan import|export``: the Aktenplan of a Mandant as CSV or JSON.

An import is all or nothing: every problem of the file is listed with its line number and
nothing is written; a clean file is added in one transaction and audited.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from amtsfluss.akte.services.aktenplan_io import (
    FORMATS,
    MAX_BYTES,
    AktenplanImportError,
    Format,
    aktenplan_export,
    aktenplan_import,
    format_for_filename,
)
from amtsfluss.core.command_input import mandant_by_slug, read_limited
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import Mandant


class Command(BaseCommand):
    help = "Import or export a Mandant's Aktenplan (CSV or JSON). Imports are all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="add the positions of a CSV or JSON file")
        imp.add_argument("file", help="the file to import ('-' for standard input)")
        imp.add_argument("--mandant", required=True, help="short name (slug) of the Mandant")
        imp.add_argument(
            "--format", choices=FORMATS, help="csv or json (default: from the file name, else csv)"
        )
        imp.add_argument("--quiet", action="store_true", help="no progress bar")
        exp = sub.add_parser("export", help="write the Aktenplan as CSV or JSON")
        exp.add_argument("--mandant", required=True, help="short name (slug) of the Mandant")
        exp.add_argument(
            "--format", choices=FORMATS, help="csv or json (default: from -o, else csv)"
        )
        exp.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        mandant = mandant_by_slug(options["mandant"])
        if options["action"] == "import":
            self._import(mandant, options)
        else:
            self._export(mandant, options)

    def _import(self, mandant: Mandant, options: dict[str, Any]) -> None:
        name: str = options["file"]
        fmt: Format = options["format"] or format_for_filename(name)
        data = read_limited(name, MAX_BYTES)
        with tqdm(
            unit="position",
            desc="aktenplan import",
            disable=bool(options["quiet"]),
            file=cast(TextIO, self.stderr._out),
        ) as bar:
            try:
                result = aktenplan_import(
                    mandant=mandant, data=data, fmt=fmt, by=None, progress=bar.update
                )
            except AktenplanImportError as exc:
                bar.close()
                for problem in exc.problems:
                    self.stderr.write(problem)
                raise CommandError(
                    f"{len(exc.problems)} problem(s) in {name}; nothing was imported",
                    returncode=1,
                ) from exc
            except ServiceError as exc:
                raise CommandError(exc.message) from exc
        self.stdout.write(
            f"{result.created} positions imported into {mandant.slug} "
            f"({result.leaves} of them leaves; SHA-256 of the file {result.sha256})"
        )

    def _export(self, mandant: Mandant, options: dict[str, Any]) -> None:
        output: str | None = options["output"]
        fmt: Format = options["format"] or format_for_filename(output or "")
        data = aktenplan_export(mandant=mandant, fmt=fmt)
        if output is None:
            self.stdout.write(data.decode(), ending="")
            return
        try:
            Path(output).write_bytes(data)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}") from exc
        self.stderr.write(f"Aktenplan of {mandant.slug} written to {output} ({fmt})")
