"""``amtsfluss serve``: the web server (granian, WSGI) and one background worker together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from amtsfluss.core.granian import granian_argv


class Command(BaseCommand):
    help = "Start the web server and a background worker; stop both on Ctrl+C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--web-workers", type=int, default=int(os.environ.get("AMTSFLUSS_WEB_WORKERS", "2"))
        )
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("AMTSFLUSS_WEB_THREADS", "4"))
        )
        parser.add_argument("--no-worker", action="store_true", help="start the web server only")

    def handle(self, *args: Any, **options: Any) -> None:
        amtsfluss = [sys.executable, "-m", "amtsfluss.cli"]
        web = granian_argv(
            "amtsfluss.wsgi:application",
            host=options["host"],
            port=options["port"],
            workers=options["web_workers"],
            threads=options["threads"],
        )
        children = [subprocess.Popen(web)]  # noqa: S603 — fixed argument list
        if not options["no_worker"]:
            children.append(subprocess.Popen([*amtsfluss, "worker"]))  # noqa: S603
        self.stdout.write(f"amtsfluss läuft auf http://{options['host']}:{options['port']}/")

        def stop(signum: int, frame: object) -> None:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        while any(child.poll() is None for child in children):
            if any(child.poll() not in (None, 0) for child in children):
                exit_code = 1
                stop(signal.SIGTERM, None)
            time.sleep(0.5)
        for child in children:
            child.wait()
        sys.exit(exit_code)
