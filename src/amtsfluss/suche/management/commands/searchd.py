"""``amtsfluss searchd``: serve the tantivy index to the web machines (``docs/design/suche.md``)."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from amtsfluss.core.granian import granian_argv
from amtsfluss.suche.backends import MIN_TOKEN_CHARS


class Command(BaseCommand):
    help = (
        "Serve the search index of every Mandant to the web machines and workers that run "
        "with AMTSFLUSS_SEARCH_BACKEND=served (HTTP, AMTSFLUSS_SEARCH_TOKEN)."
    )
    requires_system_checks: list[str] = []  # serves no page: Django's URL checks are not its own

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8010)
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="processes; each opens the index and follows the others' commits",
        )
        parser.add_argument("--threads", type=int, default=8, help="requests at once per process")

    def handle(self, *args: Any, **options: Any) -> None:
        if len(settings.SEARCH_TOKEN) < MIN_TOKEN_CHARS:
            raise CommandError(
                f"Set AMTSFLUSS_SEARCH_TOKEN (at least {MIN_TOKEN_CHARS} characters) on this "
                "machine and on every web machine and worker."
            )
        granian = granian_argv(
            "amtsfluss.suche.searchd:application",
            host=options["host"],
            port=options["port"],
            workers=options["workers"],
            threads=options["threads"],
        )
        self.stdout.write(
            f"amtsfluss searchd: {settings.SEARCH_DIR} on http://{options['host']}:{options['port']}/"
        )
        self.stdout.flush()
        os.execv(sys.executable, granian)  # noqa: S606 — fixed argument list
