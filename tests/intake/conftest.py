"""Fixtures: a real Dovecot per test session, a Mandant with a unit, a recording handler.

Dovecot (Debian ``dovecot-imapd``, listed in ``scripts/debian-packages test``) is started from
its own configuration in a temporary directory on a free loopback port; without the binary the
mail tests are skipped with that reason.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pytest

from amtsfluss.core import audit
from amtsfluss.core.intake.handlers import Refused, register_handler
from amtsfluss.core.intake.items import IntakeItem
from amtsfluss.core.models import IntakeChannel, Mandant, Organisationseinheit
from amtsfluss.core.services.mandant import mandant_create
from amtsfluss.core.services.organisation import unit_create
from tests.intake.dovecot import DOVECOT, PASSWORD, USER, Dovecot

PURPOSE = "test-intake"


@dataclass
class Recorder:
    """The test handler: keeps every item, writes an audit event in the item's transaction,
    and fails or refuses when told to (by subject or file name)."""

    items: list[IntakeItem] = field(default_factory=list)
    fail_on: str = "kaputt"
    refuse_on: str = "abweisen"
    after: list[object] = field(default_factory=list)

    def __call__(self, item: IntakeItem) -> str:
        audit.record(
            mandant=item.mandant, actor=None, action="test.intake.handled", details={"n": 1}
        )
        label = item.label
        if self.fail_on and self.fail_on in label:
            raise RuntimeError("handler broke on " + label)
        if self.refuse_on and self.refuse_on in label:
            raise Refused("not wanted: " + label)
        self.items.append(item)
        for action in self.after:
            action()  # type: ignore[operator]
        return f"item {len(self.items)}"


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    handler = Recorder()
    register_handler(PURPOSE, handler)
    yield handler


@dataclass
class Place:
    mandant: Mandant
    unit: Organisationseinheit


@pytest.fixture
def place(transactional_db: None) -> Place:
    mandant = mandant_create(slug="a", name="Stadt A", hosts=["a.test"], by=None)
    unit = unit_create(mandant=mandant, code="20", name="Kämmerei", kind="fachbereich", by=None)
    return Place(mandant=mandant, unit=unit)


def _require_dovecot() -> None:
    if not os.path.exists(DOVECOT):
        pytest.fail(
            "dovecot is not installed: run `scripts/debian-packages test` (as root) or install "
            "the Debian package dovecot-imapd",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[Dovecot]:
    _require_dovecot()
    server = Dovecot()
    server.start()
    yield server
    server.close()


@pytest.fixture
def dovecot(dovecot_server: Dovecot) -> Iterator[Dovecot]:
    if dovecot_server.process is None:
        dovecot_server.start()
    dovecot_server.reset()
    yield dovecot_server
    if dovecot_server.process is None:
        dovecot_server.start()


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A test CA and a server certificate for 127.0.0.1 signed by it (openssl CLI)."""
    base = tmp_path_factory.mktemp("tls")
    ca_key, ca, key, csr, cert = (
        base / n for n in ("ca.key", "ca.pem", "key.pem", "s.csr", "cert.pem")
    )
    run = lambda *args: subprocess.run(["openssl", *args], check=True, capture_output=True)  # noqa: E731
    run(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        str(ca_key),
        "-out",
        str(ca),
        "-days",
        "2",
        "-subj",
        "/CN=amtsfluss test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    )
    run(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        str(key),
        "-out",
        str(csr),
        "-subj",
        "/CN=127.0.0.1",
    )
    ext = base / "ext.cnf"
    ext.write_text(
        "subjectAltName=IP:127.0.0.1\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\nauthorityKeyIdentifier=keyid,issuer\n"
        "subjectKeyIdentifier=hash\n"
    )
    run(
        "x509",
        "-req",
        "-in",
        str(csr),
        "-CA",
        str(ca),
        "-CAkey",
        str(ca_key),
        "-CAcreateserial",
        "-out",
        str(cert),
        "-days",
        "2",
        "-extfile",
        str(ext),
    )
    return {"ca": ca, "cert": cert, "key": key}


@pytest.fixture
def tls_dovecot(tls_files: dict[str, Path]) -> Iterator[Dovecot]:
    _require_dovecot()
    server = Dovecot(cert=tls_files["cert"], key=tls_files["key"])
    server.start()
    yield server
    server.close()


def mailbox_channel(place: Place, server: Dovecot, **overrides: object) -> IntakeChannel:
    from amtsfluss.core.intake.services import check_mailbox_create

    options: dict[str, object] = {
        "mandant": place.mandant,
        "name": "post",
        "purpose": PURPOSE,
        "unit": place.unit,
        "host": "127.0.0.1",
        "port": server.port,
        "tls": "none",
        "username": USER,
        "password": PASSWORD,
        "by": None,
    }
    options.update(overrides)
    return check_mailbox_create(**options)  # type: ignore[arg-type]


def mail(
    subject: str = "Rechnung 4711",
    *,
    body: str = "Sehr geehrte Damen und Herren,\nanbei die Rechnung.",
    attachments: tuple[tuple[str, bytes, str], ...] = (),
    message_id: str | None = None,
    sender: str = "Feder & Tinte <rechnung@feder-tinte.example>",
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "rechnung@stadt-a.example"
    message["Subject"] = subject
    message["Date"] = "Mon, 16 Nov 2026 09:30:00 +0100"
    message["Message-ID"] = message_id or f"<{abs(hash(subject + body))}@feder-tinte.example>"
    message.set_content(body)
    for name, data, content_type in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


@pytest.fixture(autouse=True)
def _messages_in_english(english: None) -> None:
    """The intake's messages are matched in English (the msgids), as in the other service tests."""
