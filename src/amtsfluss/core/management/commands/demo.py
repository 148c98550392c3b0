"""``amtsfluss demo``: create the demo municipality Musterstadt."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amtsfluss.core.demo import create_demo, demo_banner, demo_exists


class Command(BaseCommand):
    help = "Create the demo Mandant 'Musterstadt' with units and one user per role."

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

    def handle(self, *args: Any, **options: Any) -> None:
        port = os.environ.get("PORT", "8000")
        base_url = f"http://127.0.0.1:{port}/"
        if demo_exists():
            if not options["if_empty"]:
                raise CommandError("The demo Mandant exists already.")
        else:
            create_demo(hosts=options["hosts"] or ["127.0.0.1", "localhost"])
        self.stdout.write(demo_banner(base_url))
