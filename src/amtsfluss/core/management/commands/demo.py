"""``amtsfluss demo``: create the demo municipality Musterstadt; ``--scale N`` adds bulk data."""

from __future__ import annotations

import os
import time
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import autodiscover_modules
from tqdm import tqdm

from amtsfluss.akte.scale import create_scale_data
from amtsfluss.core.demo import DEMO_SLUG, create_demo, demo_banner, demo_exists
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import Mandant


class Command(BaseCommand):
    help = (
        "Create the demo Mandant 'Musterstadt' with units, one user per role and the modules' "
        "demo data. With --scale N, add N Dokumente (in N/5 Vorgänge in N/25 Akten) to it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing (but print the banner) if present"
        )
        parser.add_argument(
            "--host",
            action="append",
            dest="hosts",
            help="host names (default 127.0.0.1, localhost)",
        )
        parser.add_argument(
            "--scale",
            type=int,
            metavar="N",
            help="add N Dokumente in N/5 Vorgänge in N/25 Akten (bulk, one audit event); "
            "creates the demo first if it is missing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # each app's ``demo`` module registers its step in DEMO_STEPS when imported
        autodiscover_modules("demo")
        port = os.environ.get("PORT", "8000")
        base_url = f"http://127.0.0.1:{port}/"
        scale: int | None = options["scale"]
        if scale is not None and scale < 1:
            raise CommandError("--scale needs a positive number of Dokumente")
        created = False
        if demo_exists():
            if not options["if_empty"] and scale is None:
                raise CommandError("The demo Mandant exists already.")
        else:
            create_demo(hosts=options["hosts"] or ["127.0.0.1", "localhost"])
            created = True
        if scale is not None:
            self._scale(scale)
        if created or scale is None:
            self.stdout.write(demo_banner(base_url))

    def _scale(self, dokumente: int) -> None:
        mandant = Mandant.objects.get(slug=DEMO_SLUG)
        started = time.monotonic()
        with tqdm(
            total=dokumente,
            unit=" Dokumente",
            unit_scale=True,
            desc="demo --scale",
            file=cast(TextIO, self.stderr._out),
        ) as bar:
            try:
                result = create_scale_data(
                    mandant=mandant, dokumente=dokumente, progress=bar.update
                )
            except ServiceError as exc:
                raise CommandError(exc.message) from exc
        self.stdout.write(
            f"{result.dokumente} Dokumente in {result.vorgaenge} Vorgängen in {result.akten} "
            f"Akten added to {mandant.slug} ({result.blobs} shared PDF blobs) "
            f"in {time.monotonic() - started:.1f} s"
        )
