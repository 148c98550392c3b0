"""Sealing PDFs with the Mandant's electronic seal (PAdES) and validating seals.

``seal_pdf`` appends the seal as an incremental update, so the PDF/A rendition is left byte for
byte as it was; the signature field is invisible (no widget area on a page). With a TSA URL the
seal gets an RFC 3161 time stamp (PAdES B-T), else it is B-B. Callers authorise: the Bescheid's
Schlusszeichnung decides who may seal; this module only checks the seal's own configuration.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from asn1crypto import pem  # type: ignore[import-untyped]
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from amtsfluss.core import audit
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.i18n import stored_text
from amtsfluss.core.models import Mandant, User
from amtsfluss.siegel.keys import demo_pkcs12, seal_key
from amtsfluss.siegel.models import Siegel
from amtsfluss.siegel.selectors import siegel_for
from amtsfluss.siegel.tagging import seal_field_create

FIELD_PREFIX = "Siegel"
TSA_TIMEOUT_SECONDS = 20
DEMO_DIR_NAME = "siegel"


@dataclass(frozen=True)
class SealReport:
    """What pyHanko's validator says about the last seal of a PDF."""

    signed: bool
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    whole_document: bool = False
    signer_subject: str = ""
    signer_name: str = ""
    reason: str = ""
    signing_time: dt.datetime | None = None
    timestamp_time: dt.datetime | None = None
    #: None: the seal has no time stamp
    timestamp_valid: bool | None = None
    seals: int = 0
    summary: str = ""

    @property
    def ok(self) -> bool:
        """Intact, valid, trusted, covering the whole file and, if stamped, a valid stamp."""
        return (
            self.signed
            and self.intact
            and self.valid
            and self.trusted
            and self.whole_document
            and self.timestamp_valid is not False
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "signed": self.signed,
            "intact": self.intact,
            "valid": self.valid,
            "trusted": self.trusted,
            "whole_document": self.whole_document,
            "signer_subject": self.signer_subject,
            "signer_name": self.signer_name,
            "reason": self.reason,
            "signing_time": _iso(self.signing_time),
            "timestamp_time": _iso(self.timestamp_time),
            "timestamp_valid": self.timestamp_valid,
            "seals": self.seals,
            "summary": self.summary,
        }


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def seal_pdf(*, mandant: Mandant, pdf: bytes, reason: str, signer_name: str) -> bytes:
    """``pdf`` with the Mandant's seal appended (PAdES B-B, or B-T with a TSA); audited."""
    siegel = siegel_for(mandant)
    key = seal_key(siegel)
    try:
        writer = _MetadataKeepingWriter(BytesIO(pdf), strict=False)
        field_name = _free_field_name(writer)
        description = stored_text(gettext_noop("Electronic seal: %(mandant)s")) % {
            "mandant": mandant.name
        }
        seal_field_create(writer, field_name=field_name, description=description)
        meta = signers.PdfSignatureMetadata(
            field_name=field_name,
            md_algorithm="sha256",
            reason=reason,
            name=signer_name,
            location=mandant.name,
            subfilter=fields.SigSeedSubFilter.PADES,
        )
        timestamper = _timestamper(siegel.tsa_url) if siegel.tsa_url else None
        pdf_signer = signers.PdfSigner(
            meta,
            signer=key.signer,
            timestamper=timestamper,
        )
        sealed: bytes = pdf_signer.sign_pdf(writer).getvalue()
    except (PdfError, ValueError) as exc:
        raise ServiceError(_("The PDF cannot be sealed: %(reason)s") % {"reason": exc}) from exc
    audit.record(
        mandant=mandant,
        actor=None,
        action="siegel.sealed",
        object_type="siegel.siegel",
        object_id=str(siegel.pk),
        details={
            "sha256": hashlib.sha256(sealed).hexdigest(),
            "field": field_name,
            "reason": reason,
            "timestamped": bool(siegel.tsa_url),
        },
        actor_label=signer_name,
    )
    return sealed


class _MetadataKeepingWriter(IncrementalPdfFileWriter):
    """Leaves the document information and the XMP packet as rendered.

    pyHanko would otherwise rewrite both, with an Info ``/Producer`` that differs from XMP's
    ``pdf:Producer`` (PDF/A-2 requires them to agree) and the PDF/A extension schema
    re-serialised; the seal's own objects are all that the update needs."""

    def _update_meta(self) -> None:
        return


@functools.lru_cache(maxsize=32)
def _timestamper(url: str) -> HTTPTimeStamper:
    """One client per TSA and process: pyHanko learns the token size once per client."""
    return HTTPTimeStamper(url, timeout=TSA_TIMEOUT_SECONDS)  # type: ignore[no-untyped-call]


def _free_field_name(writer: IncrementalPdfFileWriter) -> str:
    taken = {name for name, _value, _ref in fields.enumerate_sig_fields(writer.prev)}
    number = 1
    while f"{FIELD_PREFIX}{number}" in taken:
        number += 1
    return f"{FIELD_PREFIX}{number}"


def validate_seal(*, mandant: Mandant, pdf: bytes) -> SealReport:
    """pyHanko's verdict on the last seal of ``pdf``, trusting only the Mandant's certificate
    (and, for time stamps, its configured TSA anchor). Fetches nothing from the network."""
    siegel = siegel_for(mandant)
    anchors = seal_anchors(siegel)
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        embedded = reader.embedded_regular_signatures
    except (PdfError, ValueError) as exc:
        raise ServiceError(
            _("The file is not a readable PDF: %(reason)s") % {"reason": exc}
        ) from exc
    if not embedded:
        return SealReport(signed=False, summary="no signature")
    last = embedded[-1]
    trust = ValidationContext(trust_roots=anchors, allow_fetching=False)
    ts_trust = ValidationContext(trust_roots=[*anchors, *tsa_anchors(siegel)], allow_fetching=False)
    try:
        status = validate_pdf_signature(last, trust, ts_validation_context=ts_trust)
    except (PdfError, ValueError) as exc:
        return SealReport(signed=True, seals=len(embedded), summary=f"unreadable: {exc}")
    stamp = status.timestamp_validity
    sig_object = last.sig_object
    return SealReport(
        signed=True,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        whole_document=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        signer_subject=status.signing_cert.subject.human_friendly,
        signer_name=str(sig_object.get("/Name", "")),
        reason=str(sig_object.get("/Reason", "")),
        signing_time=status.signer_reported_dt,
        timestamp_time=stamp.timestamp if stamp is not None else None,
        timestamp_valid=(stamp.intact and stamp.valid and stamp.trusted) if stamp else None,
        seals=len(embedded),
        summary=status.summary(),
    )


def seal_anchors(siegel: Siegel) -> list[asn1_x509.Certificate]:
    """The certificates a seal of this Mandant is trusted under: the current one and those it
    replaced (a configuration from before they were stored: the PKCS#12's certificate)."""
    anchors = certificates_from_pem(siegel.certificate_pem + siegel.former_certificates_pem)
    return anchors or [seal_key(siegel).certificate]


def tsa_anchors(siegel: Siegel) -> list[asn1_x509.Certificate]:
    """The TSA trust anchors configured for the seal (PEM, one or more certificates)."""
    return certificates_from_pem(siegel.tsa_certificate_pem)


def certificates_from_pem(text: str) -> list[asn1_x509.Certificate]:
    data = text.encode()
    if not data.strip():
        return []
    return [asn1_x509.Certificate.load(der) for _type, _headers, der in pem.unarmor(data, True)]


def _pem(certificate: asn1_x509.Certificate) -> str:
    armored: bytes = pem.armor("CERTIFICATE", certificate.dump())
    return armored.decode("ascii")


@dataclass(frozen=True)
class SealCertificate:
    subject: str
    issuer: str
    not_before: dt.datetime
    not_after: dt.datetime
    sha256_fingerprint: str
    key_usage: list[str]


def seal_certificate(mandant: Mandant) -> SealCertificate:
    """The certificate of the Mandant's seal, for ``amtsfluss siegel show``."""
    certificate = seal_key(siegel_for(mandant)).certificate
    usage = certificate.key_usage_value
    digest = hashlib.sha256(certificate.dump()).hexdigest().upper()
    return SealCertificate(
        subject=certificate.subject.human_friendly,
        issuer=certificate.issuer.human_friendly,
        not_before=certificate.not_valid_before,
        not_after=certificate.not_valid_after,
        sha256_fingerprint=":".join(digest[i : i + 2] for i in range(0, len(digest), 2)),
        key_usage=sorted(usage.native) if usage is not None else [],
    )


@transaction.atomic
def siegel_configure(
    *,
    mandant: Mandant,
    pkcs12_path: str,
    passphrase_file: str = "",
    passphrase_env: str = "",
    tsa_url: str = "",
    tsa_certificate_pem: str = "",
    by: User | None,
) -> Siegel:
    """Point the Mandant's seal at a PKCS#12 file; it must open with the given passphrase."""
    if passphrase_file and passphrase_env:
        raise ServiceError(_("Give the passphrase as a file or an environment variable, not both"))
    path = str(Path(pkcs12_path).resolve())
    candidate = Siegel(
        mandant=mandant,
        pkcs12_path=path,
        passphrase_file=str(Path(passphrase_file).resolve()) if passphrase_file else "",
        passphrase_env=passphrase_env,
        tsa_url=tsa_url,
        tsa_certificate_pem=tsa_certificate_pem,
    )
    key = seal_key(candidate)
    try:
        tsa_anchors(candidate)
    except ValueError as exc:
        raise ServiceError(_("The TSA certificate is not a PEM certificate")) from exc
    certificate_pem = _pem(key.certificate)
    previous = Siegel.objects.select_for_update().filter(mandant=mandant).first()
    former = previous.former_certificates_pem if previous is not None else ""
    if previous is not None and previous.certificate_pem not in ("", certificate_pem):
        former += previous.certificate_pem
    siegel, _created = Siegel.objects.update_or_create(
        mandant=mandant,
        defaults={
            "pkcs12_path": candidate.pkcs12_path,
            "passphrase_file": candidate.passphrase_file,
            "passphrase_env": candidate.passphrase_env,
            "tsa_url": tsa_url,
            "tsa_certificate_pem": tsa_certificate_pem,
            "certificate_pem": certificate_pem,
            "former_certificates_pem": former,
        },
    )
    audit.record(
        mandant=mandant,
        actor=by,
        action="siegel.configured",
        object_type="siegel.siegel",
        object_id=str(siegel.pk),
        details={
            "subject": key.certificate.subject.human_friendly,
            "sha256": hashlib.sha256(key.certificate.dump()).hexdigest(),
            "tsa_url": tsa_url,
        },
    )
    return siegel


def demo_siegel_create(*, mandant: Mandant, by: User | None = None) -> tuple[Siegel, bool]:
    """A self-signed demo seal for ``mandant`` under the data directory; idempotent.

    Returns the seal and whether this call made it. A configured seal is left alone; files left
    from an earlier run are reused."""
    existing = Siegel.objects.filter(mandant=mandant).first()
    if existing is not None:
        return existing, False
    directory = Path(settings.DATA_DIR) / DEMO_DIR_NAME
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    p12_path = directory / f"{mandant.slug}.p12"
    passphrase_path = directory / f"{mandant.slug}.passphrase"
    if not (p12_path.exists() and passphrase_path.exists()):
        passphrase = secrets.token_urlsafe(32)
        _write_private(passphrase_path, f"{passphrase}\n".encode())
        data = demo_pkcs12(
            subject_name=mandant.name, passphrase=passphrase.encode(), now=timezone.now()
        )
        _write_private(p12_path, data)
    return (
        siegel_configure(
            mandant=mandant,
            pkcs12_path=str(p12_path),
            passphrase_file=str(passphrase_path),
            by=by,
        ),
        True,
    )


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` readable by the owner only (atomically replaced)."""
    partial = path.with_suffix(path.suffix + ".part")
    partial.unlink(missing_ok=True)
    with partial.open("xb") as target:
        partial.chmod(0o600)
        target.write(data)
    partial.replace(path)


__all__ = [
    "SealCertificate",
    "SealReport",
    "demo_siegel_create",
    "seal_certificate",
    "seal_pdf",
    "siegel_configure",
    "validate_seal",
]
