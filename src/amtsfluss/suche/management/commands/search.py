"""``amtsfluss search QUERY --as USERNAME``: search with exactly that user's permissions."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import User
from amtsfluss.core.permissions import Principal
from amtsfluss.suche.selectors import MAX_PER_PAGE, search


class Command(BaseCommand):
    help = "Full-text search over the Dokumente the given user may see."
    # scripts call it per query: skip the system checks (their URL checks import every page)
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", help='words, "phrases", prefixes like Bauan*')
        parser.add_argument("--as", dest="username", required=True, metavar="USERNAME")
        parser.add_argument("--mandant", metavar="SLUG", help="the user's Mandant (a check)")
        parser.add_argument("--limit", type=int, default=20, metavar="N")
        parser.add_argument("--json", action="store_true", help="machine-readable output")

    def handle(self, *args: Any, **options: Any) -> None:
        users = User.objects.select_related("mandant").filter(username=options["username"])
        if options["mandant"]:
            users = users.filter(mandant__slug=options["mandant"])
        user = users.first()
        if user is None or user.mandant is None or not user.is_active:
            raise CommandError(f"No active staff user {options['username']!r} in that Mandant.")
        if not 1 <= options["limit"] <= MAX_PER_PAGE:
            raise CommandError(f"--limit must lie between 1 and {MAX_PER_PAGE}")
        try:
            result = search(
                principal=Principal.for_user(user),
                query=options["query"],
                per_page=options["limit"],
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        rows = [
            {
                "dokument_id": hit.dokument_id,
                "titel": hit.titel,
                "aktenzeichen": hit.aktenzeichen,
                "score": hit.score,
                "snippet": hit.snippet,
            }
            for hit in result.hits
        ]
        if options["json"]:
            payload = {"total": result.total, "hits": rows, "facets": result.facets}
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{result.total} hits")
        for row in rows:
            score = "-" if row["score"] is None else f"{row['score']:.3f}"
            self.stdout.write(
                f"{row['dokument_id']:>8}  {score:>7}  {row['aktenzeichen']}  {row['titel']}\n"
                f"          {row['snippet']}"
            )
