"""``amtsfluss apikey create|list|revoke``: API keys for machine clients.

``create`` prints only the key on stdout (``KEY=$(amtsfluss apikey create ...)``); it is shown
this once and stored only as a hash.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from amtsfluss.core.command_input import mandant_by_slug
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import ApiKey, Mandant, User
from amtsfluss.core.models.apikey import ApiScope
from amtsfluss.core.services.apikeys import apikey_create, apikey_revoke


def _moment(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "-"


class Command(BaseCommand):
    help = "API keys: create (prints the key once), list, revoke."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a key and print it (only the key)")
        create.add_argument("--mandant", required=True, help="Mandant (slug)")
        create.add_argument("--user", required=True, help="the person the key acts as")
        create.add_argument("--name", default="CLI", help="what the key is for")
        create.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            choices=ApiScope.values,
            help="read (default) and/or write; repeat for both",
        )
        create.add_argument("--expires-days", type=int, help="expires after N days")
        listing = sub.add_parser("list", help="list the keys of a Mandant")
        listing.add_argument("--mandant", required=True, help="Mandant (slug)")
        revoke = sub.add_parser("revoke", help="revoke a key at once")
        revoke.add_argument("prefix", help="the key's prefix (second part of afk_<prefix>_…)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options)
        elif action == "list":
            self._list(mandant_by_slug(options["mandant"]))
        else:
            self._revoke(options["prefix"])

    def _create(self, options: dict[str, Any]) -> None:
        mandant = mandant_by_slug(options["mandant"])
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"Unknown user {options['user']!r}")
        if user.mandant_id != mandant.pk:
            raise CommandError(f"User {user.username!r} is no staff of Mandant {mandant.slug!r}")
        expires_at = None
        if options["expires_days"] is not None:
            if options["expires_days"] < 1:
                raise CommandError("--expires-days must be at least 1")
            expires_at = timezone.now() + timedelta(days=options["expires_days"])
        try:
            _key, plaintext = apikey_create(
                mandant=mandant,
                user=user,
                name=options["name"],
                scopes=options["scopes"] or [ApiScope.READ.value],
                expires_at=expires_at,
                by=None,
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(plaintext)

    def _list(self, mandant: Mandant) -> None:
        keys = ApiKey.objects.filter(mandant=mandant).select_related("user").order_by("created_at")
        self.stdout.write(
            f"{'prefix':16}  {'user':20}  {'scopes':11}  {'expires':16}  {'last used':16}  "
            "state       name"
        )
        now = timezone.now()
        for key in keys:
            if key.revoked_at is not None:
                state = "revoked"
            elif key.expires_at is not None and key.expires_at <= now:
                state = "expired"
            else:
                state = "active"
            self.stdout.write(
                f"{key.prefix:16}  {key.user.username:20}  {','.join(key.scopes):11}  "
                f"{_moment(key.expires_at):16}  {_moment(key.last_used_at):16}  "
                f"{state:10}  {key.name}"
            )

    def _revoke(self, prefix: str) -> None:
        key = ApiKey.objects.select_related("mandant").filter(prefix=prefix).first()
        if key is None:
            raise CommandError(f"Unknown key prefix {prefix!r}")
        apikey_revoke(key=key, by=None)
        self.stdout.write(f"revoked {key.prefix} ({key.name}) of Mandant {key.mandant.slug}")
