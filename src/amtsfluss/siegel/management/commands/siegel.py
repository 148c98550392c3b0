"""``amtsfluss siegel demo|configure|show|validate``: the electronic seal of a Mandant.

The passphrase of a PKCS#12 file is named by a file or an environment variable, never given on
the command line and never stored in the database.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from amtsfluss.core.command_input import mandant_by_slug, read_limited
from amtsfluss.core.errors import ServiceError
from amtsfluss.siegel.services import (
    demo_siegel_create,
    seal_certificate,
    siegel_configure,
    validate_seal,
)


class Command(BaseCommand):
    help = "The electronic seal of a Mandant: demo seal, configuration, certificate, validation."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        demo = sub.add_parser("demo", help="create a self-signed demo seal (idempotent)")
        demo.add_argument("--mandant", required=True, help="the Mandant's short name")

        configure = sub.add_parser("configure", help="seal with a PKCS#12 file")
        configure.add_argument("--mandant", required=True)
        configure.add_argument("--pkcs12", required=True, help="path of the .p12/.pfx file")
        source = configure.add_mutually_exclusive_group()
        source.add_argument("--passphrase-file", default="", help="its first line is used")
        source.add_argument("--passphrase-env", default="", help="environment variable name")
        configure.add_argument("--tsa-url", default="", help="RFC 3161 time-stamp authority")
        configure.add_argument(
            "--tsa-cert", default="", help="PEM file: the TSA's trust anchor for validation"
        )

        show = sub.add_parser("show", help="subject, validity and fingerprint of the seal")
        show.add_argument("--mandant", required=True)
        show.add_argument("--json", action="store_true")

        validate = sub.add_parser("validate", help="check the seal of a PDF ('-': stdin)")
        validate.add_argument("file")
        validate.add_argument("--mandant", required=True)
        validate.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc

    def _demo(self, options: dict[str, Any]) -> None:
        mandant = mandant_by_slug(options["mandant"])
        siegel, created = demo_siegel_create(mandant=mandant)
        verb = "Created" if created else "Kept"
        self.stdout.write(f"{verb} the seal of {mandant.slug}: {siegel.pkcs12_path}")

    def _configure(self, options: dict[str, Any]) -> None:
        mandant = mandant_by_slug(options["mandant"])
        tsa_pem = ""
        if options["tsa_cert"]:
            try:
                tsa_pem = Path(options["tsa_cert"]).read_text(encoding="ascii")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"Cannot read {options['tsa_cert']}: {exc}") from exc
        siegel_configure(
            mandant=mandant,
            pkcs12_path=options["pkcs12"],
            passphrase_file=options["passphrase_file"],
            passphrase_env=options["passphrase_env"],
            tsa_url=options["tsa_url"],
            tsa_certificate_pem=tsa_pem,
            by=None,
        )
        self._show({"mandant": mandant.slug, "json": False})

    def _show(self, options: dict[str, Any]) -> None:
        certificate = seal_certificate(mandant_by_slug(options["mandant"]))
        rows = {
            "subject": certificate.subject,
            "issuer": certificate.issuer,
            "not_before": certificate.not_before.isoformat(),
            "not_after": certificate.not_after.isoformat(),
            "sha256_fingerprint": certificate.sha256_fingerprint,
            "key_usage": ", ".join(certificate.key_usage),
        }
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        for label, value in rows.items():
            self.stdout.write(f"{label:<19} {value}")

    def _validate(self, options: dict[str, Any]) -> None:
        mandant = mandant_by_slug(options["mandant"])
        limit: int = settings.AMTSFLUSS_MAX_UPLOAD_BYTES
        data = read_limited(options["file"], limit)
        if len(data) > limit:
            raise CommandError(f"{options['file']} is larger than {limit} bytes")
        report = validate_seal(mandant=mandant, pdf=data)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
        else:
            for label, value in report.as_dict().items():
                self.stdout.write(f"{label:<16} {'' if value is None else value}")
        if not report.ok:
            raise CommandError("The seal does not validate")
