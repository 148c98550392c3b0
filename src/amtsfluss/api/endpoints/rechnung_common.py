"""Files of the E-Rechnung, for the API and the pages alike: one way out for every byte.

* ``stored_download`` streams a stored blob (the original invoice, a Zahlungslauf's pain.001
  and CSV) the way ``api.downloads.blob_download`` streams a Dokumentversion: verified while it
  is read (the last chunk leaves only after the SHA-256 matched; a damaged file of one chunk
  answers 500 before any byte), as an attachment with a safe file name, ``nosniff`` and
  ``no-store``.
* ``made_download`` delivers bytes made on request (the readable PDF, an embedded attachment)
  with the same headers.
* ``readable_pdf`` and ``embedded_attachment`` make those bytes from the stored original.

Every delivery is an audit event ``rechnung.download`` (``zahlungslauf.download``) naming what
was delivered; a refused one (damaged bytes) is audited with outcome ``failure``.
"""

from __future__ import annotations

import logging

from django.db.models import Model
from django.http import HttpResponse, HttpResponseBase
from django.utils.translation import gettext as _

from amtsfluss.api.downloads import (
    attachment_headers,
    media_type_for,
    safe_media_type,
    verified_blob_response,
)
from amtsfluss.core import audit
from amtsfluss.core.blobs import BlobMissing
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import Blob
from amtsfluss.core.models.audit import Outcome
from amtsfluss.core.permissions import Principal
from amtsfluss.rechnung.invoice.parse import attachment_content
from amtsfluss.rechnung.invoice.printable import invoice_pdf
from amtsfluss.rechnung.models import Rechnung
from amtsfluss.rechnung.selectors.pages import lesung

logger = logging.getLogger(__name__)

PDF = "application/pdf"
CSV = "text/csv"
PAIN001 = "application/xml"


def _audit(principal: Principal, obj: Model, what: str, outcome: str, **details: object) -> None:
    audit.record(
        mandant=principal.mandant,
        actor=principal.user,
        action=f"{obj._meta.model_name}.download",
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        outcome=outcome,
        details={"datei": what, **details},
    )


def stored_download(
    *, principal: Principal, obj: Model, blob: Blob, filename: str, media_type: str, what: str
) -> HttpResponseBase:
    """Stream ``blob`` of ``obj`` (already authorized) as an attachment named ``filename``."""

    def failed(exc: Exception) -> None:
        reason = "missing" if isinstance(exc, BlobMissing) else "integrity"
        logger.error("Download of %s %s refused: blob %s %s", what, obj.pk, blob.sha256, reason)
        _audit(principal, obj, what, Outcome.FAILURE, reason=reason, sha256=blob.sha256)

    return verified_blob_response(
        blob=blob,
        filename=filename,
        media_type=media_type,
        on_success=lambda: _audit(principal, obj, what, Outcome.SUCCESS, sha256=blob.sha256),
        on_failure=failed,
    )


def made_download(
    *, principal: Principal, obj: Model, content: bytes, filename: str, media_type: str, what: str
) -> HttpResponseBase:
    """``content`` made on request (not stored) as an attachment named ``filename``."""
    _audit(principal, obj, what, Outcome.SUCCESS, size=len(content))
    response = HttpResponse(content, content_type=safe_media_type(media_type))
    return attachment_headers(response, filename, len(content))


def original_media_type(rechnung: Rechnung) -> str:
    """Decided by the server from the file name's extension, as for every stored file (XML as
    ``application/xml``, RFC 7303)."""
    guessed = media_type_for(rechnung.dateiname)
    return "application/xml" if guessed == "text/xml" else guessed


def readable_pdf(rechnung: Rechnung) -> bytes:
    """The readable rendition with the validation report, made from the stored original."""
    read = lesung(rechnung)
    if read.invoice is None:
        raise ServiceError(
            read.problem or _("The invoice could not be read."), code="invoice-unreadable"
        )
    validation = {
        "verdict": rechnung.verdict,
        "scenario": "",
        "customization_id": rechnung.customization_id,
        "findings": rechnung.findings,
    }
    return invoice_pdf(read.invoice, validation=validation)


def embedded_attachment(rechnung: Rechnung, reference: str) -> tuple[str, str, bytes]:
    """(safe file name, declared media type, bytes) of the invoice's attachment ``reference``."""
    read = lesung(rechnung)
    if read.xml is None:
        raise ServiceError(
            read.problem or _("The invoice could not be read."), code="invoice-unreadable"
        )
    return attachment_content(read.xml, reference)
