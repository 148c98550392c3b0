"""Files over the API: blobs streamed as attachments, and the size limit of uploads.

Downloads (ASVS 5.3.x)
    ``blob_download`` streams a Dokumentversion's bytes in chunks (the whole file is never
    in memory) as an attachment with a safe file name (RFC 6266: an ASCII ``filename`` and the
    exact ``filename*`` in UTF-8, RFC 5987), the stored media type (or
    ``application/octet-stream``), ``X-Content-Type-Options: nosniff``, ``Cache-Control:
    no-store`` and the blob's size as ``Content-Length``; each download is an audit event
    ``dokument.download``.

Damaged bytes are never delivered as if they were right
    The blob store verifies the SHA-256 only once the last byte is read. The stream therefore
    holds every chunk back until the next one has been read, so the last chunk leaves only
    after the hash matched. A blob of up to one chunk (1 MiB — most documents) is read and
    verified *before* the answer starts: a damaged one answers 500 with a message, and no byte
    of it. A larger one that turns out damaged at its end aborts the answer: the exception
    ends the response in the WSGI server, so the client holds fewer bytes than
    ``Content-Length`` promised and sees a failed transfer, never a complete wrong file. Both
    cases are logged (ERROR) and audited (``dokument.download``, outcome ``failure``).

Uploads (ASVS 5.2.1)
    Django writes an upload larger than ``FILE_UPLOAD_MAX_MEMORY_SIZE`` to a temporary file, so
    uploads are not held in memory. ``limit_upload_size`` (for the upload operations)
    additionally stops reading a file as soon as it exceeds ``AMTSFLUSS_MAX_UPLOAD_BYTES`` —
    or at once, when the declared length of the request already does — and answers 413 with
    the same translated message as the service, which checks the limit again.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
import re
import unicodedata
from collections.abc import Callable, Generator, Iterator
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import (
    HttpRequest,
    HttpResponseBase,
    JsonResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.template.defaultfilters import filesizeformat
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from amtsfluss.akte.models import Dokumentversion
from amtsfluss.core import audit
from amtsfluss.core.blobs import BlobIntegrityError, BlobMissing, VerifyingReader
from amtsfluss.core.models import Blob
from amtsfluss.core.models.audit import Outcome
from amtsfluss.core.permissions import Principal
from amtsfluss.core.services.blobs import blob_open

logger = logging.getLogger(__name__)

FALLBACK_MEDIA_TYPE = "application/octet-stream"
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}")
_GERMAN = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._()+ -]+")
#: A multipart request's envelope and form fields besides the file (headers, boundaries).
_ENVELOPE_BYTES = 64 * 1024


# --- file names -------------------------------------------------------------------------------


def _display_name(filename: str) -> str:
    """The last path component, NFC, without control characters; never empty."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        char for char in unicodedata.normalize("NFC", name) if unicodedata.category(char)[0] != "C"
    )
    return name.strip().lstrip(".") or "download"


def _ascii_name(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.translate(_GERMAN))
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))  # é → e
    ascii_only = letters.encode("ascii", "replace").decode("ascii")  # 日 → ?
    safe = _UNSAFE_ASCII.sub("_", ascii_only).strip(" .")
    return safe or "download"


def attachment_disposition(filename: str) -> str:
    """``Content-Disposition`` for a download: always an attachment, never a path.

    ``../../Bescheid "Müller".pdf`` → ``attachment; filename="Bescheid _Mueller_.pdf";
    filename*=UTF-8''Bescheid%20%22M%C3%BCller%22.pdf``
    """
    name = _display_name(filename)
    return f"attachment; filename=\"{_ascii_name(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


#: Python's own table (not /etc/mime.types, so that every machine decides alike), plus the
#: office and signature formats of an administration that it lacks.
_MEDIA_TYPES = mimetypes.MimeTypes(filenames=())
for _type, _extension in (
    ("application/vnd.oasis.opendocument.text", ".odt"),
    ("application/vnd.oasis.opendocument.spreadsheet", ".ods"),
    ("application/vnd.oasis.opendocument.presentation", ".odp"),
    ("application/vnd.oasis.opendocument.graphics", ".odg"),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"),
    ("application/vnd.ms-outlook", ".msg"),
    ("application/pkcs7-signature", ".p7s"),
    ("application/pkcs7-mime", ".p7m"),
):
    _MEDIA_TYPES.add_type(_type, _extension)


def media_type_for(filename: str) -> str:
    """The media type the server stores for an upload, decided by the file name's extension."""
    guessed, _encoding = _MEDIA_TYPES.guess_type(filename, strict=True)
    return guessed or FALLBACK_MEDIA_TYPE


def safe_media_type(value: str) -> str:
    """The stored media type if it is a plain ``type/subtype``; anything else is bytes."""
    value = value.strip().lower()
    return value if _MEDIA_TYPE.fullmatch(value) else FALLBACK_MEDIA_TYPE


# --- downloads --------------------------------------------------------------------------------


def _audit_download(
    principal: Principal, version: Dokumentversion, outcome: str, **details: object
) -> None:
    audit.record(
        mandant=principal.mandant,
        actor=principal.user,
        action="dokument.download",
        object_type="akte.dokument",
        object_id=str(version.dokument_id),
        outcome=outcome,
        details={
            "version": version.pk,
            "nummer": version.nummer,
            "rendition": version.rendition,
            "sha256": version.blob.sha256,
            **details,
        },
    )


def _unreadable(principal: Principal, version: Dokumentversion, exc: Exception) -> None:
    reason = "missing" if isinstance(exc, BlobMissing) else "integrity"
    logger.error(
        "Download of Dokumentversion %s refused: blob %s %s (%s)",
        version.pk,
        version.blob.sha256,
        reason,
        exc,
    )
    _audit_download(principal, version, Outcome.FAILURE, reason=reason)


def _held_back(
    reader: VerifyingReader, size: int, on_error: Callable[[Exception], None]
) -> Generator[bytes]:
    """The blob's chunks, each one yielded only once the next one was read (see module doc)."""
    try:
        held: bytes | None = None
        sent = 0
        for chunk in reader.chunks():  # the read after the last chunk checks the hash
            sent += len(chunk)
            if sent > size:
                raise BlobIntegrityError(f"blob {reader.sha256} is longer than {size} bytes")
            if held is not None:
                yield held
            held = chunk
        if sent != size:
            raise BlobIntegrityError(f"blob {reader.sha256} has {sent} bytes, {size} expected")
        if held is not None:
            yield held
    except (BlobIntegrityError, BlobMissing) as exc:
        on_error(exc)
        raise
    finally:
        reader.close()


def _prepend(first: bytes, rest: Generator[bytes]) -> Iterator[bytes]:
    try:
        if first:
            yield first
        yield from rest
    finally:
        rest.close()


def _unreadable_response() -> JsonResponse:
    return JsonResponse(
        {
            "detail": _(
                "The stored file failed its integrity check and was not delivered. "
                "Please inform the IT operators."
            ),
            "code": "blob_unreadable",
        },
        status=500,
    )


def verified_blob_response(
    *,
    blob: Blob,
    filename: str,
    media_type: str,
    on_success: Callable[[], None],
    on_failure: Callable[[Exception], None],
) -> HttpResponseBase:
    """Stream an (already authorized) blob as an attachment, verified while it is sent.

    ``on_failure`` logs and audits a missing or damaged blob (the client gets a 500 with
    ``blob_unreadable`` when nothing was sent yet); ``on_success`` audits the delivery.
    """
    try:
        stream = _held_back(blob_open(blob=blob), blob.size, on_failure)
    except BlobMissing as exc:
        on_failure(exc)
        return _unreadable_response()
    try:
        first = next(stream, b"")  # a blob of one chunk is verified completely here
    except (BlobIntegrityError, BlobMissing):
        return _unreadable_response()  # logged and audited by _held_back
    on_success()
    response = StreamingHttpResponse(
        _prepend(first, stream), content_type=safe_media_type(media_type)
    )
    return attachment_headers(response, filename, blob.size)


def attachment_headers(response: HttpResponseBase, filename: str, size: int) -> HttpResponseBase:
    """Length, attachment disposition with a safe name, nosniff, no caching."""
    response["Content-Length"] = str(size)
    response["Content-Disposition"] = attachment_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def blob_download(*, principal: Principal, version: Dokumentversion) -> HttpResponseBase:
    """Stream a Dokumentversion fetched with ``access_dokumentversion`` (so: permitted)."""
    return verified_blob_response(
        blob=version.blob,
        filename=version.dateiname,
        media_type=version.media_type,
        on_success=lambda: _audit_download(principal, version, Outcome.SUCCESS),
        on_failure=lambda exc: _unreadable(principal, version, exc),
    )


# --- uploads ----------------------------------------------------------------------------------


def too_large_message() -> str:
    """The service's message (``dokument._check_size``), so that it is translated alike."""
    return _("The file is larger than the limit of %s.") % filesizeformat(
        settings.AMTSFLUSS_MAX_UPLOAD_BYTES
    )


class UploadLimitHandler(FileUploadHandler):
    """First in the chain: passes every chunk on and stops the upload beyond the limit.

    What was received of the file is discarded (``StopUpload`` closes the temporary file);
    the rest of the body is read and dropped, so the connection stays usable for the answer.
    A request that declares a length beyond limit + envelope is not read at all.
    """

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.exceeded = False
        self._received = 0

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],  # noqa: N803 (Django's signature)
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> tuple[Any, Any] | None:
        fields = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if fields is not None and content_length > self.limit + fields + _ENVELOPE_BYTES:
            self.exceeded = True
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        self._received = 0
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self._received += len(raw_data)
        if self._received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) makes the file


def limit_upload_size(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """For ``ninja.decorate_view``: install the limit before anything reads the body.

    (Authentication may read it already: the CSRF check of a session looks at the form.) A
    request whose file was cut off never reaches the operation — its file is missing — and
    answers 413 whatever the operation would have said about the rest.
    """

    @functools.wraps(run)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if hasattr(request, "_files"):
            raise RuntimeError("the upload was read before its size limit was installed")
        handler = UploadLimitHandler(request, settings.AMTSFLUSS_MAX_UPLOAD_BYTES)
        request.upload_handlers.insert(0, handler)
        response = run(request, *args, **kwargs)
        if handler.exceeded:
            return JsonResponse({"detail": too_large_message(), "code": "too_large"}, status=413)
        return response

    return guarded
