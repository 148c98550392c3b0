"""``amtsfluss reindex [--mandant SLUG] [--restart]``: rebuild the search index, resumably."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from amtsfluss.core.errors import Unavailable
from amtsfluss.core.models import Mandant
from amtsfluss.suche.backends import backend_name
from amtsfluss.suche.indexing import reindex, remaining


class Command(BaseCommand):
    help = (
        "Rebuild the full-text search index of every Mandant (or one). An interrupted run "
        "continues after the last finished batch; --restart starts from the beginning."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mandant", metavar="SLUG", help="only this Mandant")
        parser.add_argument("--restart", action="store_true", help="start over from the first")
        parser.add_argument("--batch", type=int, default=500, help="Dokumente per batch")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        mandanten = Mandant.objects.order_by("slug")
        if options["mandant"]:
            mandanten = mandanten.filter(slug=options["mandant"])
            if not mandanten.exists():
                raise CommandError(f"No Mandant with the short name {options['mandant']!r}.")
        if options["batch"] < 1:
            raise CommandError("--batch needs a positive number")
        for mandant in mandanten:
            todo = 0 if options["restart"] else remaining(mandant)
            total = todo or None
            with tqdm(
                total=total,
                desc=f"{mandant.slug} ({backend_name()})",
                unit="Dok.",
                disable=options["no_progress"],
                file=self.stderr,
            ) as bar:
                try:
                    done = reindex(
                        mandant,
                        restart=options["restart"],
                        batch_size=options["batch"],
                        progress=bar.update,
                    )
                except Unavailable as exc:
                    raise CommandError(f"{mandant.slug}: {exc.message}") from exc
            self.stdout.write(f"{mandant.slug}: {done} Dokumente indexed")
