"""``amtsfluss audit verify``: check every Mandant's hash chain; exit 1 at the first break."""

from __future__ import annotations

from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from amtsfluss.core import audit
from amtsfluss.core.command_input import mandant_by_slug
from amtsfluss.core.models import AuditEvent


class Command(BaseCommand):
    help = "Audit log tools. 'verify' checks the hash chains and names the first broken link."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="verify the hash chain of every Mandant")
        verify.add_argument("--mandant", help="only this Mandant (slug)")
        verify.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        chains = None
        events = AuditEvent.objects.all()
        if options.get("mandant"):
            mandant = mandant_by_slug(options["mandant"])
            chains = [audit.chain_of(mandant)]
            events = events.filter(chain__in=chains)
        total = events.count()
        with tqdm(
            total=total,
            unit="event",
            desc="audit verify",
            disable=bool(options["quiet"]),
            file=cast(TextIO, self.stderr._out),
        ) as bar:

            def advance(count: int) -> None:
                bar.update(count)

            broken = audit.verify(chains=chains, progress=advance)
        if broken:
            for link in broken:
                self.stderr.write(f"BROKEN: {link}")
            raise CommandError(f"audit chain broken: first broken link {broken[0]}", returncode=1)
        self.stdout.write(f"audit chain intact ({total} events)")
