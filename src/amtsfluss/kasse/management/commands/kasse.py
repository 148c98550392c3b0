"""``amtsfluss kasse``: bank statements and the simulated online payment provider.

    amtsfluss kasse camt053 FILE --mandant SLUG [--json]
    amtsfluss kasse epay-simulator [--port N] [--host 127.0.0.1] [--secret S]

``camt053`` imports a CAMT.053 statement of the Mandant's receiving account ('-' reads standard
input), books what matches and prints the report; it exits 1 when the file is refused.
``epay-simulator`` serves the simulated provider until interrupted (tests and the demo; it
accepts only loopback return and notification URLs).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from amtsfluss.core.command_input import mandant_by_slug, read_limited
from amtsfluss.core.errors import ServiceError
from amtsfluss.kasse import camt
from amtsfluss.kasse.services.kontoauszug import camt053_import
from amtsfluss.kasse.simulator import make_server


class Command(BaseCommand):
    help = "Kasse: Kontoauszüge (CAMT.053) einlesen, simulierten ePayment-Anbieter starten."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        statement = sub.add_parser("camt053", help="import a CAMT.053 bank statement")
        statement.add_argument("file")
        statement.add_argument("--mandant", required=True)
        statement.add_argument("--json", action="store_true", help="print the report as JSON")
        sim = sub.add_parser("epay-simulator", help="serve the simulated payment provider")
        sim.add_argument("--port", type=int, default=8765)
        sim.add_argument("--host", default="127.0.0.1")
        sim.add_argument("--secret", default="")

    def handle(self, *args: object, **options: object) -> None:
        if options["action"] == "camt053":
            self._camt053(str(options["file"]), str(options["mandant"]), bool(options["json"]))
        else:
            self._simulator(str(options["host"]), int(str(options["port"])), str(options["secret"]))

    def _camt053(self, name: str, slug: str, as_json: bool) -> None:
        mandant = mandant_by_slug(slug)
        data = read_limited(name, camt.MAX_BYTES)
        try:
            bericht = camt053_import(mandant=mandant, data=data)
        except ServiceError as exc:
            raise CommandError(exc.message, returncode=1) from None
        report = bericht.as_dict()
        if as_json:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        for zeile in bericht.zeilen:
            self.stdout.write(
                f"{zeile.referenz}\t{zeile.betrag} {zeile.waehrung}\t{zeile.label}\t"
                f"{zeile.kassenzeichen or '-'}"
            )
        self.stdout.write(
            f"zugeordnet: {report['zugeordnet']}, ohne Zuordnung: {report['ohne_zuordnung']}, "
            f"Betrag abweichend: {report['betrag_abweichend']}, "
            f"schon bezahlt: {report['schon_bezahlt']}, "
            f"schon eingelesen: {report['schon_importiert']}"
        )

    def _simulator(self, host: str, port: int, secret: str) -> None:
        secret = secret or getattr(settings, "AMTSFLUSS_EPAY_SECRET", "")
        if not secret:
            raise CommandError("No secret: pass --secret or set AMTSFLUSS_EPAY_SECRET.")
        server, _state = make_server(host=host, port=port, secret=secret)
        self.stdout.write(f"ePay-Simulator: http://{host}:{server.server_address[1]}/")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
