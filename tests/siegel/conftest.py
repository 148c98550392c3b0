"""Seal fixtures: a demo seal for Mandant A (and B), a Bescheid-like PDF/A-2b + PDF/UA-1, and
an RFC 3161 time-stamp server on loopback (pyHanko's DummyTimeStamper behind http.server)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from asn1crypto import keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps import DummyTimeStamper

from amtsfluss.core.printable import html_to_pdf
from amtsfluss.siegel.models import Siegel
from amtsfluss.siegel.services import demo_siegel_create
from tests.conftest import World

BESCHEID_HTML = (
    '<!doctype html><html lang="de"><head><meta charset="utf-8">'
    "<title>Gebührenbescheid</title></head><body><h1>Gebührenbescheid</h1>"
    "<p>Für die Geburtsurkunde wird eine Gebühr von 12,00 € festgesetzt.</p></body></html>"
)


@pytest.fixture(scope="session")
def bescheid_pdf() -> bytes:
    return html_to_pdf(BESCHEID_HTML, ua=True)


@pytest.fixture
def seal_a(world: World) -> Siegel:
    return demo_siegel_create(mandant=world.a)[0]


@pytest.fixture
def seal_b(world: World) -> Siegel:
    return demo_siegel_create(mandant=world.b)[0]


@dataclass
class Tsa:
    url: str
    certificate_pem: str
    requests: list[bytes]


def _tsa_certificate() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test-TSA auf Loopback")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


@pytest.fixture(scope="session")
def tsa() -> Iterator[Tsa]:
    """A real RFC 3161 server over HTTP on 127.0.0.1 that stamps every request."""
    key, certificate = _tsa_certificate()
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER)),
        tsa_key=keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
    )
    received: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(self.headers.get("Content-Type", "").encode())
            reply = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Tsa(
            url=f"http://127.0.0.1:{server.server_port}/tsa",
            certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
            requests=received,
        )
    finally:
        server.shutdown()
        server.server_close()
