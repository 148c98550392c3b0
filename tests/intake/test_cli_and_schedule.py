"""``amtsfluss intake …`` and the schedule: passwords sealed and never shown, one run per
channel per minute, audited changes."""

from __future__ import annotations

import io
import json
import os
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from amtsfluss.core import periodic
from amtsfluss.core.intake import tasks
from amtsfluss.core.intake.runner import claim_due
from amtsfluss.core.intake.secrets import unseal
from amtsfluss.core.models import AuditEvent, IntakeChannel
from tests.intake.conftest import PURPOSE, Place, Recorder, mail
from tests.intake.dovecot import PASSWORD, USER, Dovecot


def run(*args: str, stdin: str = "") -> str:
    out = io.StringIO()
    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        call_command("intake", *args, stdout=out)
    finally:
        sys.stdin = old
    return out.getvalue()


def add_folder(name: str, path: Path) -> str:
    return run(
        "add-folder",
        name,
        "--mandant",
        "a",
        "--purpose",
        PURPOSE,
        "--unit",
        "20",
        "--path",
        str(path),
    )


def test_mailbox_by_command_line_password_never_shown(
    place: Place, dovecot: Dovecot, recorder: Recorder
) -> None:
    run(
        "add-mailbox", "post", "--mandant", "a", "--purpose", PURPOSE, "--unit", "20",
        "--host", "127.0.0.1", "--port", str(dovecot.port), "--tls", "none",
        "--username", USER, "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    channel = IntakeChannel.objects.get(name="post")
    assert PASSWORD not in channel.password_sealed and unseal(channel.password_sealed) == PASSWORD
    dovecot.append(mail("Rechnung CLI"))
    assert json.loads(run("poll", "post", "--mandant", "a"))["done"] == 1

    listing = run("list") + run("list", "--json") + run("items", "post", "--mandant", "a", "--all")
    assert "a/post  mailbox  test-intake" in listing and "done 1, failed 0" in listing
    assert PASSWORD not in listing and channel.password_sealed[:20] not in listing
    assert "Rechnung CLI" in listing

    run("set-password", "post", "--mandant", "a", "--password-stdin", stdin="neu\n")
    channel.refresh_from_db()
    assert unseal(channel.password_sealed) == "neu"
    with pytest.raises(CommandError, match="AUTHENTICATIONFAILED"):
        run("poll", "post", "--mandant", "a")
    assert "FAILING x1" in run("list", "--mandant", "a")

    run("remove", "post", "--mandant", "a")
    assert not IntakeChannel.objects.exists()
    actions = list(
        AuditEvent.objects.filter(action__startswith="intake.channel").values_list(
            "action", flat=True
        )
    )
    assert actions == ["intake.channel.create", "intake.channel.password", "intake.channel.remove"]
    assert PASSWORD not in json.dumps(list(AuditEvent.objects.values_list("details", flat=True)))


def test_configuration_is_checked(place: Place, tmp_path: Path, recorder: Recorder) -> None:
    common = ["--mandant", "a", "--unit", "20", "--username", "u", "--password-stdin"]
    with pytest.raises(CommandError, match="only allowed to the local machine"):
        run(
            "add-mailbox",
            "m",
            "--purpose",
            PURPOSE,
            "--host",
            "mail.example",
            "--tls",
            "none",
            *common,
            stdin="p\n",
        )
    with pytest.raises(CommandError, match="Unknown purpose nix"):
        run("add-mailbox", "m", "--purpose", "nix", "--host", "mail.example", *common, stdin="p\n")
    with pytest.raises(CommandError, match="has no unit"):
        run(
            "add-folder",
            "f",
            "--mandant",
            "a",
            "--purpose",
            PURPOSE,
            "--unit",
            "99",
            "--path",
            str(tmp_path),
        )
    with pytest.raises(CommandError, match="not an existing folder"):
        run(
            "add-folder",
            "f",
            "--mandant",
            "a",
            "--purpose",
            PURPOSE,
            "--unit",
            "20",
            "--path",
            "relativ",
        )
    run(
        "add-folder",
        "f",
        "--mandant",
        "a",
        "--purpose",
        PURPOSE,
        "--unit",
        "20",
        "--path",
        str(tmp_path),
    )
    with pytest.raises(CommandError, match="watches this folder already"):
        add_folder("g", tmp_path)


def test_each_channel_is_enqueued_once_per_minute_and_runs_as_its_own_task(
    place: Place, tmp_path: Path, recorder: Recorder
) -> None:
    assert "core.intake_poll" in {job.name for job in periodic.jobs()}
    for name in ("eins", "zwei", "aus"):
        (tmp_path / name).mkdir()
        add_folder(name, tmp_path / name)
    IntakeChannel.objects.filter(name="aus").update(is_active=False)
    now = timezone.now()

    claimed = tasks.poll_intake_channels.call()
    assert sorted(IntakeChannel.objects.filter(pk__in=claimed).values_list("name", flat=True)) == [
        "eins",
        "zwei",
    ]
    assert DBTaskResult.objects.filter(task_path__endswith="poll_intake_channel").count() == 2
    assert claim_due(now + timedelta(seconds=30)) == []  # not again within the minute
    assert len(claim_due(now + timedelta(minutes=2))) == 2

    (tmp_path / "eins" / "brief.pdf").write_bytes(b"%PDF-1")
    os.utime(tmp_path / "eins" / "brief.pdf", (0, 0))
    result = tasks.poll_intake_channel.call(IntakeChannel.objects.get(name="eins").pk)
    assert result is not None and result["done"] == 1


def test_sealed_passwords_open_after_a_key_rotation_and_not_with_a_foreign_key(settings) -> None:  # type: ignore[no-untyped-def]
    from amtsfluss.core.intake.secrets import SealError, seal

    token = seal("geheim")
    assert "geheim" not in token and token.startswith("v2$")
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a new key " * 5, [old_key]
    assert unseal(token) == "geheim"
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(SealError):
        unseal(token)
    with pytest.raises(SealError):
        unseal(token[:-4] + "AAAA")
