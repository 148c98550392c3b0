"""``amtsfluss blobs verify``: read every registered blob and check its SHA-256 (fixity)."""

from __future__ import annotations

from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from amtsfluss.core.command_input import mandant_by_slug
from amtsfluss.core.services.blobs import blob_fixity_check, blob_fixity_targets


class Command(BaseCommand):
    help = "Blob store tools. 'verify' reads every registered blob and reports damaged ones."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify", help="recompute the SHA-256 of every registered blob; exit 1 on any problem"
        )
        verify.add_argument("--mandant", help="only the blobs of this Mandant (slug)")
        verify.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        mandant = None
        if options.get("mandant"):
            mandant = mandant_by_slug(options["mandant"])
        targets = blob_fixity_targets(mandant=mandant)
        with tqdm(
            total=sum(target.size for target in targets),
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            desc="blobs verify",
            disable=bool(options["quiet"]),
            file=cast(TextIO, self.stderr._out),
        ) as bar:
            report = blob_fixity_check(targets=targets, progress=bar.update)
        for label, problems in (("MISSING", report.missing), ("CORRUPTED", report.corrupted)):
            for target in problems:
                self.stderr.write(
                    f"{label}: {target.sha256} (Mandant {', '.join(target.mandanten)})"
                )
        if not report.intact:
            raise CommandError(
                f"{len(report.missing)} missing, {len(report.corrupted)} corrupted "
                f"of {report.checked} blobs",
                returncode=1,
            )
        self.stdout.write(f"{report.checked} blobs intact ({report.checked_bytes} bytes read)")
