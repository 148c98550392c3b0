"""Key material of a seal: loading the PKCS#12 once per process, making a demo certificate.

A loaded key is cached per process, keyed by the file's path, size and modification time and by
where its passphrase comes from: replacing the file or pointing at another passphrase loads it
again; nothing else does.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped]
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.utils.translation import gettext as _
from pyhanko.sign.signers import SimpleSigner

from amtsfluss.core.errors import ServiceError
from amtsfluss.siegel.models import Siegel

DEMO_VALIDITY = dt.timedelta(days=3 * 365)
RSA_KEY_BITS = 3072


@dataclass(frozen=True)
class SealKey:
    signer: SimpleSigner
    certificate: asn1_x509.Certificate


def read_passphrase(*, passphrase_file: str, passphrase_env: str) -> bytes | None:
    """The passphrase from the first line of the file or from the environment variable."""
    if passphrase_file:
        try:
            text = Path(passphrase_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise ServiceError(
                _("Cannot read the seal's passphrase file: %(reason)s") % {"reason": exc.strerror}
            ) from exc
        return text.splitlines()[0].encode() if text else b""
    if passphrase_env:
        value = os.environ.get(passphrase_env)
        if value is None:
            raise ServiceError(
                _("The environment variable %(name)s with the seal's passphrase is not set")
                % {"name": passphrase_env}
            )
        return value.encode()
    return None


def seal_key(siegel: Siegel) -> SealKey:
    """The seal's signer and certificate, loaded once per process (see the module)."""
    path = Path(siegel.pkcs12_path)
    try:
        stat = path.stat()
    except OSError as exc:
        raise ServiceError(
            _("Cannot read the seal's PKCS#12 file: %(reason)s") % {"reason": exc.strerror}
        ) from exc
    return _load(
        str(path), stat.st_size, stat.st_mtime_ns, siegel.passphrase_file, siegel.passphrase_env
    )


@functools.lru_cache(maxsize=32)
def _load(
    path: str, size: int, mtime_ns: int, passphrase_file: str, passphrase_env: str
) -> SealKey:
    passphrase = read_passphrase(passphrase_file=passphrase_file, passphrase_env=passphrase_env)
    data = Path(path).read_bytes()
    try:
        signer = SimpleSigner.load_pkcs12_data(data, other_certs=(), passphrase=passphrase)
    except (ValueError, TypeError) as exc:
        raise ServiceError(
            _("The seal's PKCS#12 file cannot be opened (wrong passphrase or not PKCS#12)")
        ) from exc
    certificate = signer.signing_cert
    if certificate is None:
        raise ServiceError(_("The seal's PKCS#12 file holds no certificate"))
    return SealKey(signer=signer, certificate=certificate)


def demo_pkcs12(*, subject_name: str, passphrase: bytes, now: dt.datetime) -> bytes:
    """A self-signed seal certificate for ``subject_name`` with its key, as PKCS#12.

    Key usage digitalSignature and nonRepudiation (contentCommitment), critical; no CA."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "DE"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, subject_name),
            x509.NameAttribute(NameOID.COMMON_NAME, subject_name),
        ]
    )
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + DEMO_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(
        subject_name.encode(),
        key,
        certificate,
        None,
        serialization.BestAvailableEncryption(passphrase),
    )
