"""A private Dovecot IMAP server for the tests: own config and directories, a loopback port,
plaintext login (loopback only), one passwd-file user; run as an unprivileged user."""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.ports import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER = "intake"
PASSWORD = "geheim-Postfach-7"

CONFIG = """\
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = {ssl}
{ssl_files}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  chroot =
}}
"""


class Dovecot:
    def __init__(self, *, cert: Path | None = None, key: Path | None = None) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="amtsfluss-dovecot-"))
        self.port = free_port()
        self.tls_port = free_port() if cert else 0
        account = pwd.getpwnam("nobody") if os.getuid() == 0 else pwd.getpwuid(os.getuid())
        self.uid, self.gid = account.pw_uid, account.pw_gid
        group = "nogroup" if os.getuid() == 0 else str(self.gid)
        for sub in ("run", "state", "home"):
            (self.base / sub).mkdir()
        ssl_files = ""
        if cert and key:
            shutil.copy(cert, self.base / "cert.pem")
            shutil.copy(key, self.base / "key.pem")
            ssl_files = f"ssl_cert = <{self.base}/cert.pem\nssl_key = <{self.base}/key.pem"
        (self.base / "dovecot.conf").write_text(
            CONFIG.format(
                base=self.base,
                ssl="yes" if cert else "no",
                ssl_files=ssl_files,
                user=account.pw_name,
                group=group if os.getuid() == 0 else account.pw_name,
                uid=self.uid,
                gid=self.gid,
                port=self.port,
                tls_port=self.tls_port,
            )
        )
        (self.base / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        for path in [self.base, *self.base.rglob("*")]:
            os.chown(path, self.uid, self.gid)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        drop = {"user": self.uid, "group": self.gid, "extra_groups": []} if os.getuid() == 0 else {}
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.base / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            **drop,  # type: ignore[arg-type]
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot ended: {self.process.stderr.read()!r} {self.log()}")  # type: ignore[union-attr]
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not start: {self.log()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)

    def log(self) -> str:
        path = self.base / "dovecot.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def client(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=30)
        conn.login(USER, PASSWORD)
        return conn

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        conn = self.client()
        try:
            status, data = conn.append(folder, None, None, raw)
            assert status == "OK", data
        finally:
            conn.logout()

    def messages(self, folder: str = "INBOX") -> list[tuple[bytes, bytes]]:
        """(flags, raw) of every message in ``folder``; empty if the folder does not exist."""
        conn = self.client()
        try:
            status, _ = conn.select(f'"{folder}"', readonly=True)
            if status != "OK":
                return []
            _, data = conn.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[])")
            return [(item[0], item[1]) for item in data if isinstance(item, tuple)]
        finally:
            conn.logout()

    def delete_folder(self, folder: str) -> None:
        conn = self.client()
        try:
            status, data = conn.delete(f'"{folder}"')
            assert status == "OK", data
        finally:
            conn.logout()

    def reset(self) -> None:
        """Remove every message and every folder but INBOX."""
        conn = self.client()
        try:
            _, folders = conn.list()
            for line in folders:
                name = line.decode().rsplit(' "." ', 1)[-1].strip('"') if line else ""
                if name and name != "INBOX":
                    conn.delete(f'"{name}"')
            _, count = conn.select("INBOX")
            if count and count[0] and int(count[0]) > 0:
                conn.store("1:*", "+FLAGS.SILENT", "(\\Deleted)")
                conn.expunge()
        finally:
            conn.logout()
