"""``amtsfluss intake add-mailbox|add-folder|list|items|set-password|remove|poll``.

Intake channels of a Mandant: IMAP mailboxes and watched folders whose messages and files go to
the handler of their purpose (``rechnung``, later ``posteingang``). Passwords are read from a
file, standard input or a prompt — never from the command line — and are never printed.
"""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count, Q

from amtsfluss.core.command_input import mandant_by_slug
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.intake import runner, services
from amtsfluss.core.models import IntakeChannel, IntakeRecord, Mandant, Organisationseinheit
from amtsfluss.core.models.intake import ChannelKind, RecordState, TlsMode


def _unit(mandant: Mandant, code: str) -> Organisationseinheit:
    unit = Organisationseinheit.objects.filter(mandant=mandant, code=code).first()
    if unit is None:
        raise CommandError(f"Mandant {mandant.slug} has no unit {code!r}")
    return unit


def _channel(options: dict[str, Any]) -> IntakeChannel:
    mandant = mandant_by_slug(options["mandant"])
    channel = (
        IntakeChannel.objects.select_related("mandant", "unit")
        .filter(mandant=mandant, name=options["name"])
        .first()
    )
    if channel is None:
        raise CommandError(f"Mandant {mandant.slug} has no intake channel {options['name']!r}")
    return channel


def _password(options: dict[str, Any]) -> str:
    if options["password_file"]:
        return Path(options["password_file"]).read_text(encoding="utf-8").rstrip("\r\n")
    if options["password_stdin"]:
        return sys.stdin.readline().rstrip("\r\n")
    return getpass.getpass("Mailbox password: ")


def _add_password_options(parser: CommandParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--password-file", help="read the password from this file")
    source.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )


class Command(BaseCommand):
    help = "Intake channels (IMAP mailboxes, watched folders) per Mandant. Changes are audited."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        mailbox = sub.add_parser("add-mailbox", help="poll an IMAP mailbox")
        self._common(mailbox)
        mailbox.add_argument("--host", required=True)
        mailbox.add_argument("--port", type=int, help="default 993 (implicit TLS) or 143")
        mailbox.add_argument("--tls", choices=TlsMode.values, default=TlsMode.IMPLICIT)
        mailbox.add_argument("--username", required=True)
        _add_password_options(mailbox)
        mailbox.add_argument("--folder", default="INBOX", help="folder read (default INBOX)")
        mailbox.add_argument(
            "--processed-folder",
            default="Verarbeitet",
            help='where handled mails go (default "Verarbeitet"); "" keeps them, flagged',
        )

        folder = sub.add_parser("add-folder", help="watch a folder (a scanner's drop folder)")
        self._common(folder)
        folder.add_argument("--path", required=True, help="absolute path of the folder")
        folder.add_argument("--done-dir", default="done")
        folder.add_argument("--failed-dir", default="failed")

        listing = sub.add_parser("list", help="channels with their state")
        listing.add_argument("--mandant", help="only this Mandant")
        listing.add_argument("--json", action="store_true")

        items = sub.add_parser("items", help="failed and refused items of a channel")
        items.add_argument("name")
        items.add_argument("--mandant", required=True)
        items.add_argument("--all", action="store_true", help="processed ones too")
        items.add_argument("--json", action="store_true")

        password = sub.add_parser("set-password", help="replace a mailbox's password")
        password.add_argument("name")
        password.add_argument("--mandant", required=True)
        _add_password_options(password)

        remove = sub.add_parser("remove", help="remove a channel and its records")
        remove.add_argument("name")
        remove.add_argument("--mandant", required=True)

        poll = sub.add_parser("poll", help="run one channel now (as the worker would)")
        poll.add_argument("name")
        poll.add_argument("--mandant", required=True)

    def _common(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="short name, e.g. rechnung-mail")
        parser.add_argument("--mandant", required=True, help="the Mandant's short name")
        parser.add_argument("--purpose", required=True, help="e.g. rechnung or posteingang")
        parser.add_argument("--unit", required=True, help="code of the Organisationseinheit")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"].replace("-", "_")
        try:
            getattr(self, f"_{action}")(options)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc

    def _add_mailbox(self, options: dict[str, Any]) -> None:
        mandant = mandant_by_slug(options["mandant"])
        channel = services.check_mailbox_create(
            mandant=mandant,
            name=options["name"],
            purpose=options["purpose"],
            unit=_unit(mandant, options["unit"]),
            host=options["host"],
            port=options["port"],
            tls=options["tls"],
            username=options["username"],
            password=_password(options),
            mail_folder=options["folder"],
            processed_folder=options["processed_folder"],
            by=None,
        )
        self.stdout.write(
            f"Mailbox {channel.name} added: {channel.username}@{channel.host}:{channel.port} "
            f"({channel.tls}), folder {channel.mail_folder}"
        )

    def _add_folder(self, options: dict[str, Any]) -> None:
        mandant = mandant_by_slug(options["mandant"])
        channel = services.check_folder_create(
            mandant=mandant,
            name=options["name"],
            purpose=options["purpose"],
            unit=_unit(mandant, options["unit"]),
            path=options["path"],
            done_dir=options["done_dir"],
            failed_dir=options["failed_dir"],
            by=None,
        )
        self.stdout.write(f"Folder {channel.name} added: {channel.path}")

    def _list(self, options: dict[str, Any]) -> None:
        channels = IntakeChannel.objects.select_related("mandant", "unit").annotate(
            failed=Count("records", filter=Q(records__state=RecordState.FAILED)),
            refused=Count("records", filter=Q(records__state=RecordState.REFUSED)),
            done=Count("records", filter=Q(records__state=RecordState.DONE)),
        )
        if options["mandant"]:
            channels = channels.filter(mandant=mandant_by_slug(options["mandant"]))
        rows = [_row(channel) for channel in channels.order_by("mandant__slug", "name")]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            health = (
                "ok"
                if not row["consecutive_failures"]
                else (f"FAILING x{row['consecutive_failures']}: {row['last_error']}")
            )
            self.stdout.write(
                f"{row['mandant']}/{row['name']}  {row['kind']}  {row['purpose']} → "
                f"{row['unit']}  {row['source']}  {'active' if row['active'] else 'inactive'}  "
                f"done {row['done']}, failed {row['failed']}, refused {row['refused']}  {health}"
            )

    def _items(self, options: dict[str, Any]) -> None:
        records = _channel(options).records.order_by("-pk")
        if not options["all"]:
            records = records.exclude(state=RecordState.DONE)
        rows = [_item_row(record) for record in records[:500]]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            self.stdout.write(
                f"{row['state']}  {row['label'] or row['key']}  attempts {row['attempts']}  "
                f"{row['reason'] or row['result']}"
            )

    def _set_password(self, options: dict[str, Any]) -> None:
        channel = _channel(options)
        services.check_password_set(channel=channel, password=_password(options), by=None)
        self.stdout.write(f"Password of {channel.name} replaced")

    def _remove(self, options: dict[str, Any]) -> None:
        channel = _channel(options)
        services.do_channel_remove(channel=channel, by=None)
        self.stdout.write(f"Channel {options['name']} removed")

    def _poll(self, options: dict[str, Any]) -> None:
        channel = _channel(options)
        report = runner.run_channel(channel.pk)
        if report is None:
            channel.refresh_from_db()
            raise CommandError(channel.last_error or "The channel is inactive or running.")
        self.stdout.write(json.dumps(report.as_dict()))


def _row(channel: Any) -> dict[str, Any]:
    source = (
        f"{channel.username}@{channel.host}:{channel.port}/{channel.mail_folder}"
        if channel.kind == ChannelKind.MAILBOX
        else channel.path
    )
    return {
        "mandant": channel.mandant.slug,
        "name": channel.name,
        "kind": channel.kind,
        "purpose": channel.purpose,
        "unit": channel.unit.code,
        "source": source,
        "active": channel.is_active,
        "done": channel.done,
        "failed": channel.failed,
        "refused": channel.refused,
        "last_run_at": channel.last_run_at.isoformat() if channel.last_run_at else None,
        "last_success_at": channel.last_success_at.isoformat() if channel.last_success_at else None,
        "consecutive_failures": channel.consecutive_failures,
        "last_error": channel.last_error,
        "next_poll_at": channel.next_poll_at.isoformat() if channel.next_poll_at else None,
    }


def _item_row(record: IntakeRecord) -> dict[str, Any]:
    return {
        "key": record.key,
        "state": record.state,
        "label": record.label,
        "attempts": record.attempts,
        "reason": record.reason,
        "result": record.result,
        "first_seen_at": record.first_seen_at.isoformat(),
        "next_attempt_at": record.next_attempt_at.isoformat() if record.next_attempt_at else None,
    }
