"""``amtsfluss import PATH... [--mandant SLUG] [--oe CODE] [--akte AZ | --auto] [--json]``."""

# ruff: noqa: N999 - the command is named `import`, as the issue asks
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from amtsfluss.akte.models import Akte
from amtsfluss.core.models import Mandant, Organisationseinheit
from amtsfluss.posteingang.importer import Importer, ImportTarget, candidate_files


class Command(BaseCommand):
    help = (
        "Import folders of PDF, TIFF, JPEG and Office files into the Posteingang (resumable, "
        "idempotent by content hash); processing runs in the worker."
    )
    # run often (scripts, a migration folder by folder): no system checks, which import every
    # page and the API for the URL checks (~1 s); `amtsfluss check` and every server start run them
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument("--mandant", help="slug of the Mandant (default: the only one)")
        parser.add_argument("--oe", help="code of the receiving unit (default: the Akte's)")
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--akte", help="file everything into this Akte (Aktenzeichen)")
        target.add_argument(
            "--auto", action="store_true", help="file into the unit's Akte 'Posteingang <year>'"
        )
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        target = self._target(options)
        missing = [str(path) for path in options["paths"] if not path.exists()]
        if missing:
            raise CommandError(_("Not found: %s") % ", ".join(missing))
        files = list(candidate_files(options["paths"]))
        with tqdm(total=len(files), unit=_("files"), file=sys.stderr, disable=None) as bar:
            report = Importer(target, progress=lambda _path: bar.update()).run(files)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            _("%(imported)d imported, %(duplicates)d duplicates, %(refused)d refused")
            % {
                "imported": len(report.imported),
                "duplicates": len(report.duplicates),
                "refused": len(report.refused),
            }
        )
        for refusal in report.refused:
            self.stdout.write(f"  {refusal['path']}: {refusal['reason']}")

    def _target(self, options: dict[str, Any]) -> ImportTarget:
        mandanten = Mandant.objects.all()
        if options["mandant"]:
            mandanten = mandanten.filter(slug=options["mandant"])
        if mandanten.count() != 1:
            raise CommandError(_("Name the Mandant with --mandant SLUG."))
        mandant = mandanten.get()
        akte = None
        if options["akte"]:
            akte = Akte.objects.filter(mandant=mandant, aktenzeichen=options["akte"]).first()
            if akte is None:
                raise CommandError(_("No Akte %s in this Mandant.") % options["akte"])
        if options["oe"]:
            unit = Organisationseinheit.objects.filter(mandant=mandant, code=options["oe"]).first()
            if unit is None:
                raise CommandError(_("No unit with code %s in this Mandant.") % options["oe"])
        elif akte is not None:
            unit = akte.federfuehrende_oe
        else:
            raise CommandError(_("Name the receiving unit with --oe CODE."))
        return ImportTarget(mandant=mandant, unit=unit, akte=akte)
