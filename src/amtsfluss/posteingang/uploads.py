"""Several files in one request (the upload page and the API): limits applied while it arrives.

:class:`BatchLimitHandler` is installed first in the request's upload handlers, before anything
reads the body (the CSRF check and the session authentication read it too):

* a request that declares a body beyond ``AMTSFLUSS_MAX_UPLOAD_BATCH_BYTES`` (plus the form
  fields) is not read at all — Django reads no more than the declared length, so this bounds
  the whole request;
* a file beyond ``AMTSFLUSS_MAX_UPLOAD_BYTES`` is skipped while it arrives (Django's
  ``SkipFile``: what came of it is discarded, the files after it are received as usual) and
  handed to ``eingang_receive`` as cut off, so it becomes an Eingang ``abgewiesen`` with the
  service's translated reason — the rest of the batch goes on;
* files beyond ``AMTSFLUSS_MAX_UPLOAD_FILES`` are not kept; the request is then refused as a
  whole (``too_many``), and nothing is received.

``SkipFile`` is raised from ``receive_data_chunk`` only, never from ``new_file``: Django closes
every handler's current file on a skip, and before the next handlers' ``new_file`` that would
be the previous, completed upload.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, QueryDict
from django.template.defaultfilters import filesizeformat
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from amtsfluss.posteingang.services.eingang import Datei
from amtsfluss.web.uploads import first_upload_handler

#: A multipart envelope per file (headers, boundaries) besides the form fields.
_ENVELOPE_BYTES = 64 * 1024


def too_many_message(count: int) -> str:
    limit = settings.AMTSFLUSS_MAX_UPLOAD_FILES
    return ngettext(
        "At most %(limit)d file can be uploaded at once; %(count)d were sent. Nothing was "
        "received; please upload the files in smaller groups.",
        "At most %(limit)d files can be uploaded at once; %(count)d were sent. Nothing was "
        "received; please upload the files in smaller groups.",
        limit,
    ) % {"limit": limit, "count": count}


def batch_too_large_message() -> str:
    return _(
        "The upload as a whole is larger than the limit of %s; nothing was received. Please "
        "upload the files in smaller groups."
    ) % filesizeformat(settings.AMTSFLUSS_MAX_UPLOAD_BATCH_BYTES)


class BatchLimitHandler(FileUploadHandler):
    """First in the chain: counts the files of ``field`` and applies the limits (module doc)."""

    def __init__(self, request: HttpRequest, field: str) -> None:
        super().__init__(request)
        self.field = field
        self.file_limit: int = settings.AMTSFLUSS_MAX_UPLOAD_BYTES
        self.max_files: int = settings.AMTSFLUSS_MAX_UPLOAD_FILES
        self.body_too_large = False
        self.count = 0  # files of ``field`` sent
        self.cut_off: dict[int, Datei] = {}  # position among them → the file cut off
        self._current: int | None = None  # position of the file arriving, if of ``field``
        self._received = 0

    @property
    def too_many(self) -> bool:
        return self.count > self.max_files

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],  # noqa: N803 (Django's signature)
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> tuple[Any, Any] | None:
        fields = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
        allowed = (
            settings.AMTSFLUSS_MAX_UPLOAD_BATCH_BYTES
            + fields
            + _ENVELOPE_BYTES * (self.max_files + 1)
        )
        if content_length > allowed:
            self.body_too_large = True
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        self._received = 0
        self._current = None
        if field_name == self.field:
            self._current = self.count
            self.count += 1

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if self._current is None:
            return raw_data
        if self._current >= self.max_files:
            raise SkipFile  # the request is refused; not kept
        self._received += len(raw_data)
        if self._received > self.file_limit:
            self.cut_off[self._current] = Datei(
                self.file_name or "", b"", cut_off_at=self._received
            )
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) makes the file

    def files(self, uploads: Sequence[UploadedFile[bytes]]) -> list[Datei]:
        """The files in the order they were sent: the received ones read, the cut-off ones in
        their places. (``uploads``: the request's files of ``field``, in their order.)"""
        received = iter(uploads)
        files = []
        for position in range(min(self.count, self.max_files)):
            cut = self.cut_off.get(position)
            if cut is not None:
                files.append(cut)
                continue
            upload = next(received, None)
            if upload is None:  # Django keeps every named part, empty ones too; defensive
                break
            files.append(Datei(upload.name or "", upload.read()))
        return files


def install_batch_limit(request: HttpRequest, field: str) -> BatchLimitHandler:
    """Put the limits first among the request's upload handlers (before the body is read)."""
    return first_upload_handler(request, BatchLimitHandler(request, field))


def batch_limit_of(request: HttpRequest) -> BatchLimitHandler | None:
    return next(
        (h for h in request.upload_handlers if isinstance(h, BatchLimitHandler)),
        None,
    )
