"""Configuring intake channels (CLI now, pages later): checked, audited, password sealed."""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from amtsfluss.core import audit
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.intake.handlers import purposes
from amtsfluss.core.intake.imap import is_loopback
from amtsfluss.core.intake.secrets import MAX_SECRET_BYTES, seal
from amtsfluss.core.models import IntakeChannel, Mandant, Organisationseinheit, User
from amtsfluss.core.models.intake import ChannelKind, TlsMode

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
_SUBDIR = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _-]{0,99}")
DEFAULT_PORTS = {TlsMode.IMPLICIT: 993, TlsMode.STARTTLS: 143, TlsMode.NONE: 143}


def _check_common(*, mandant: Mandant, name: str, purpose: str, unit: Organisationseinheit) -> None:
    if not _NAME.fullmatch(name):
        raise ServiceError(_("Use lower-case letters, digits, - and _ for the channel name."))
    if IntakeChannel.objects.filter(mandant=mandant, name=name).exists():
        raise ServiceError(_("A channel named %(name)s exists already.") % {"name": name})
    if purpose not in purposes():
        raise ServiceError(
            _("Unknown purpose %(purpose)s (known: %(known)s).")
            % {"purpose": purpose, "known": ", ".join(purposes()) or "-"}
        )
    if unit.mandant_id != mandant.pk:
        raise ServiceError(_("The unit belongs to another Mandant."))


def _check_folder_name(value: str) -> None:
    if not value or len(value) > 200 or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise ServiceError(_("%(name)r is not a usable mail folder name.") % {"name": value})


def check_mailbox_create(
    *,
    mandant: Mandant,
    name: str,
    purpose: str,
    unit: Organisationseinheit,
    host: str,
    port: int | None,
    tls: str,
    username: str,
    password: str,
    mail_folder: str = "INBOX",
    processed_folder: str = "Verarbeitet",
    by: User | None,
) -> IntakeChannel:
    _check_common(mandant=mandant, name=name, purpose=purpose, unit=unit)
    host = host.strip()
    if not host or len(host) > 253 or any(ch.isspace() or ch == "/" for ch in host):
        raise ServiceError(_("Give the host name of the mail server."))
    if tls not in TlsMode.values:
        raise ServiceError(_("TLS must be implicit, starttls or none."))
    if tls == TlsMode.NONE and not is_loopback(host):
        raise ServiceError(_("An unencrypted connection is only allowed to the local machine."))
    port = port or DEFAULT_PORTS[TlsMode(tls)]
    if not 0 < port < 65536:
        raise ServiceError(_("The port must be between 1 and 65535."))
    if not username or not password or len(password.encode()) > MAX_SECRET_BYTES:
        raise ServiceError(_("Give the user name and the password of the mailbox."))
    _check_folder_name(mail_folder)
    if processed_folder:
        _check_folder_name(processed_folder)
        if processed_folder == mail_folder:
            raise ServiceError(_("The processed folder must differ from the folder read."))
    channel = IntakeChannel(
        mandant=mandant,
        kind=ChannelKind.MAILBOX,
        name=name,
        purpose=purpose,
        unit=unit,
        host=host,
        port=port,
        tls=tls,
        username=username,
        password_sealed=seal(password),
        mail_folder=mail_folder,
        processed_folder=processed_folder,
    )
    return _do_create(channel, by=by, details={"host": host, "port": port, "tls": tls})


def check_folder_create(
    *,
    mandant: Mandant,
    name: str,
    purpose: str,
    unit: Organisationseinheit,
    path: str,
    done_dir: str = "done",
    failed_dir: str = "failed",
    by: User | None,
) -> IntakeChannel:
    _check_common(mandant=mandant, name=name, purpose=purpose, unit=unit)
    if not os.path.isabs(path) or not os.path.isdir(path):
        raise ServiceError(
            _("%(path)s is not an existing folder (give an absolute path).") % {"path": path}
        )
    real = os.path.realpath(path)
    for sub in (done_dir, failed_dir):
        if not _SUBDIR.fullmatch(sub):
            raise ServiceError(_("%(name)r is not a usable subfolder name.") % {"name": sub})
    if done_dir == failed_dir:
        raise ServiceError(_("The done and failed subfolders must differ."))
    if IntakeChannel.objects.filter(kind=ChannelKind.FOLDER, path=real).exists():
        raise ServiceError(_("Another channel watches this folder already."))
    channel = IntakeChannel(
        mandant=mandant,
        kind=ChannelKind.FOLDER,
        name=name,
        purpose=purpose,
        unit=unit,
        path=str(Path(real)),
        done_dir=done_dir,
        failed_dir=failed_dir,
    )
    return _do_create(channel, by=by, details={"path": real})


def _do_create(
    channel: IntakeChannel, *, by: User | None, details: dict[str, object]
) -> IntakeChannel:
    with transaction.atomic():
        channel.save()
        audit.record(
            mandant=channel.mandant,
            actor=by,
            action="intake.channel.create",
            object_type="core.intakechannel",
            object_id=str(channel.pk),
            details={
                "name": channel.name,
                "kind": channel.kind,
                "purpose": channel.purpose,
                "unit": channel.unit.code,
            }
            | details,
        )
    return channel


def do_channel_remove(*, channel: IntakeChannel, by: User | None) -> None:
    """Delete a channel and its records (messages and files stay where they are)."""
    with transaction.atomic():
        audit.record(
            mandant=channel.mandant,
            actor=by,
            action="intake.channel.remove",
            object_type="core.intakechannel",
            object_id=str(channel.pk),
            details={"name": channel.name, "kind": channel.kind},
        )
        channel.delete()


def check_password_set(*, channel: IntakeChannel, password: str, by: User | None) -> None:
    if channel.kind != ChannelKind.MAILBOX:
        raise ServiceError(_("Only a mailbox has a password."))
    if not password or len(password.encode()) > MAX_SECRET_BYTES:
        raise ServiceError(_("Give the user name and the password of the mailbox."))
    with transaction.atomic():
        IntakeChannel.objects.filter(pk=channel.pk).update(password_sealed=seal(password))
        audit.record(
            mandant=channel.mandant,
            actor=by,
            action="intake.channel.password",
            object_type="core.intakechannel",
            object_id=str(channel.pk),
            details={"name": channel.name},
        )
