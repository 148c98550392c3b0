from __future__ import annotations

import io
from typing import IO

from django.db import transaction

from amtsfluss.core.blobs import VerifyingReader, get_blob_store
from amtsfluss.core.models import Blob, Mandant


def blob_store(*, mandant: Mandant, content: bytes | IO[bytes]) -> Blob:
    """Store content write-once and register it for the Mandant (idempotent by SHA-256).

    The bytes are written before the row: a crash leaves at most an unreferenced blob,
    never a row without bytes.
    """
    source = io.BytesIO(content) if isinstance(content, bytes) else content
    sha256, size = get_blob_store().put(source)
    with transaction.atomic():
        blob, _created = Blob.objects.get_or_create(
            mandant=mandant, sha256=sha256, defaults={"size": size}
        )
    return blob


def blob_open(*, blob: Blob) -> VerifyingReader:
    """Open a blob for reading; the reader raises BlobIntegrityError if bytes were altered."""
    return get_blob_store().open(blob.sha256)
