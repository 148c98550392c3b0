"""``amtsfluss mandant create|list|update``: Mandanten for the IT provider's operators.

Changes go through ``core.services.mandant`` with ``by=None`` (the CLI) and are audited in the
platform chain like changes made at ``/plattform/``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_slug
from django.db.models import Prefetch

from amtsfluss.core.command_input import mandant_by_slug
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import Mandant, MandantHost
from amtsfluss.core.services.mandant import mandant_create, mandant_update

#: One label of a DNS name; the whole name is at most 253 characters (RFC 1035).
_HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


def clean_hosts(raw_hosts: list[str]) -> list[str]:
    """Lower-case host names without a trailing dot and without duplicates, or CommandError."""
    hosts: list[str] = []
    for raw in raw_hosts:
        host = raw.strip().lower().rstrip(".")
        labels = host.split(".")
        if not host or len(host) > 253 or not all(_HOST_LABEL.fullmatch(x) for x in labels):
            raise CommandError(f"{raw!r} is not a valid host name")
        if host not in hosts:
            hosts.append(host)
    return hosts


def clean_slug(slug: str) -> str:
    try:
        validate_slug(slug)
    except ValidationError as exc:
        raise CommandError(f"{slug!r} is not a valid short name (letters, digits, -, _)") from exc
    if len(slug) > 63 or slug != slug.lower():
        raise CommandError(f"{slug!r}: use at most 63 lower-case characters")
    return slug


def _hosts_of(mandant: Mandant) -> list[str]:
    return sorted(host.hostname for host in mandant.hosts.all())


class Command(BaseCommand):
    help = "Mandanten (municipalities): create, list, update. Changes are audited."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        create = sub.add_parser("create", help="create a Mandant with its host names")
        create.add_argument("slug", help="short name, e.g. musterstadt (cannot be changed)")
        create.add_argument("--name", required=True, help='e.g. "Stadt Musterstadt"')
        create.add_argument(
            "--host",
            action="append",
            dest="hosts",
            required=True,
            help="host name under which it is reached; repeat for several",
        )
        create.add_argument(
            "--default",
            action="store_true",
            help="answer host names that belong to no Mandant (takes it from the previous one)",
        )

        listing = sub.add_parser("list", help="list every Mandant")
        listing.add_argument("--json", action="store_true", help="machine-readable output")

        update = sub.add_parser("update", help="rename, change host names, (de)activate")
        update.add_argument("slug")
        update.add_argument("--name", help="new name")
        update.add_argument(
            "--host",
            action="append",
            dest="hosts",
            help="the complete new list of host names (replaces the old one); repeat",
        )
        state = update.add_mutually_exclusive_group()
        state.add_argument("--deactivate", action="store_true", help="stop serving it")
        state.add_argument("--activate", action="store_true", help="serve it again")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "create":
                self._create(options)
            elif options["action"] == "list":
                self._list(as_json=options["json"])
            else:
                self._update(options)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc

    def _create(self, options: dict[str, Any]) -> None:
        mandant = mandant_create(
            slug=clean_slug(options["slug"]),
            name=_clean_name(options["name"]),
            hosts=clean_hosts(options["hosts"]),
            is_default=options["default"],
            by=None,
        )
        self.stdout.write(f"Mandant {mandant.slug} created ({', '.join(_hosts_of(mandant))})")

    def _update(self, options: dict[str, Any]) -> None:
        mandant = mandant_by_slug(options["slug"])
        name = mandant.name if options["name"] is None else _clean_name(options["name"])
        hosts = _hosts_of(mandant) if options["hosts"] is None else clean_hosts(options["hosts"])
        is_active = mandant.is_active
        if options["deactivate"]:
            is_active = False
        elif options["activate"]:
            is_active = True
        if (name, sorted(hosts), is_active) == (
            mandant.name,
            _hosts_of(mandant),
            mandant.is_active,
        ):
            raise CommandError(
                "Nothing to change (give --name, --host, --activate or --deactivate)"
            )
        mandant_update(mandant=mandant, name=name, is_active=is_active, hosts=hosts, by=None)
        self.stdout.write(
            f"Mandant {mandant.slug} updated: {name}, "
            f"{'active' if is_active else 'inactive'}, {', '.join(_hosts_of(mandant))}"
        )

    def _list(self, *, as_json: bool) -> None:
        mandanten = Mandant.objects.order_by("slug").prefetch_related(
            Prefetch("hosts", queryset=MandantHost.objects.order_by("hostname"))
        )
        rows: list[dict[str, Any]] = [
            {
                "slug": m.slug,
                "name": m.name,
                "hosts": [host.hostname for host in m.hosts.all()],
                "is_default": m.is_default,
                "is_active": m.is_active,
                "created_at": m.created_at.isoformat(),
            }
            for m in mandanten
        ]
        if as_json:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            flags = ("default " if row["is_default"] else "") + (
                "active" if row["is_active"] else "INACTIVE"
            )
            self.stdout.write(f"{row['slug']}\t{row['name']}\t{flags}\t{', '.join(row['hosts'])}")


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > 200:
        raise CommandError("The name must have 1 to 200 characters")
    return cleaned
