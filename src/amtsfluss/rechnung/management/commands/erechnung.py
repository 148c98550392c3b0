"""``amtsfluss erechnung``: install KoSIT rule packs and validate e-invoices.

    amtsfluss erechnung rules install PATH [--id ID] [--replace]
    amtsfluss erechnung rules list
    amtsfluss erechnung validate FILE... [--json] [--rules ID]

``validate`` exits 0 when every file is accepted, 1 when any is rejected, 2 on usage errors.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amtsfluss.core.errors import ServiceError
from amtsfluss.rechnung.validation import ValidationResult, default_validator
from amtsfluss.rechnung.validation.rules import rule_pack, rule_packs, rules_install

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
            "install", help="install an official validator-configuration-xrechnung zip or folder"
        )
        install.add_argument("path")
        install.add_argument("--id", dest="pack_id", help="pack id (default: name-version-date)")
        install.add_argument("--replace", action="store_true", help="replace an installed pack")
        rules_sub.add_parser("list", help="list installed packs")
        validate = sub.add_parser("validate", help="validate XRechnung/EN 16931 files")
        validate.add_argument("files", nargs="*")
        validate.add_argument("--json", action="store_true", help="one JSON object per line")
        validate.add_argument("--rules", dest="pack_id", help="pack id (default: newest)")

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
        pack = rules_install(
            Path(options["path"]), pack_id=options["pack_id"], replace=options["replace"]
        )
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
        validator = default_validator(rule_pack(options["pack_id"]).path())
        rejected = 0
        for path in files:
            result = validator.validate_file(path)
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
        for finding in result.findings:
            level = LEVELS_DE.get(finding.level, finding.level)
            self.stdout.write(f"  [{level}] {finding.rule}: {finding.message}")
            if finding.location:
                self.stdout.write(f"      bei {finding.location}")
