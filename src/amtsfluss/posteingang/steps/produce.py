"""What each pipeline step computes from an Eingang — no database writes here.

Every function reads the Eingang's blobs and returns what it produced; :mod:`pipeline` stores
the result and the state in one transaction. A failure raises :class:`StepFailed` with a
reason for people.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from amtsfluss.core.intake.handlers import Refused
from amtsfluss.core.intake.items import Limits
from amtsfluss.core.intake.mailparse import parse_mail
from amtsfluss.core.models import Blob
from amtsfluss.core.services.blobs import blob_open
from amtsfluss.posteingang import media
from amtsfluss.posteingang.models import Eingang, Textquelle
from amtsfluss.posteingang.pdf import (
    PdfAnswer,
    TextAndPreview,
    ask,
    text_layer_and_preview,
    texts_and_previews,
)
from amtsfluss.posteingang.steps.images import ImageFailed, image_to_pdf
from amtsfluss.posteingang.steps.ocr import OcrFailed, run_ocr
from amtsfluss.posteingang.steps.office import ConversionFailed, office_to_pdf


class StepFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read(blob: Blob | None) -> bytes:
    if blob is None:
        raise StepFailed(_("A file produced by an earlier step is missing."))
    with blob_open(blob=blob) as reader:
        return reader.read_all()


def working_pdf(eingang: Eingang) -> Blob | None:
    """The PDF the later steps read: the original PDF or the converted one."""
    return eingang.original if eingang.media_type == media.PDF else eingang.pdf


def convert(eingang: Eingang) -> bytes:
    data = read(eingang.original)
    try:
        if eingang.media_type in media.IMAGES:
            return image_to_pdf(data)
        return office_to_pdf(data, eingang.media_type)
    except ConversionFailed as exc:
        timed_out = exc.outcome is not None and exc.outcome.killed_by_limit
        raise StepFailed(
            _("LibreOffice exceeded the time or memory limit while converting the file.")
            if timed_out
            else _("LibreOffice could not convert the file to PDF.")
        ) from exc
    except ImageFailed as exc:
        raise StepFailed(_("The image could not be converted to PDF.")) from exc


@dataclass(frozen=True)
class Text:
    text: str
    source: str
    complete: bool  # False: pages without text, OCR needed
    preview: Preview | None = None  # made in the same child run when the text is complete


def plain_text(eingang: Eingang) -> Text:
    data = read(eingang.original)
    if eingang.media_type == media.EML:
        try:
            mail = parse_mail(data, Limits())
        except Refused as exc:  # the message's own fault: its reason, not "unexpected error"
            raise StepFailed(exc.reason) from exc
        head = "\n".join(f"{name}: {value}" for name, value in mail.headers.items() if value)
        names = "\n".join(attachment.filename for attachment in mail.attachments)
        return Text(f"{head}\n\n{mail.body_text}\n\n{names}".strip(), Textquelle.MAIL, True)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", "replace")
    source = Textquelle.MAIL if eingang.ist_nachricht else Textquelle.OFFICE
    return Text(text, source, True)


def extract_text(eingang: Eingang) -> Text:
    if eingang.media_type in media.PLAIN:
        return plain_text(eingang)
    if eingang.media_type in media.IMAGES:
        return Text("", Textquelle.OCR, False)  # a picture has no text layer
    pdf_blob = working_pdf(eingang)
    ahead = (_ahead.get() or {}).pop(pdf_blob.sha256, None) if pdf_blob is not None else None
    layer, rendered = ahead or text_layer_and_preview(read(pdf_blob))
    if isinstance(layer, PdfAnswer):  # unreadable for pdfminer: let OCR try
        return Text("", Textquelle.OCR, False)
    source = Textquelle.OFFICE if eingang.media_type in media.OFFICE else Textquelle.TEXTLAYER
    found = None
    if rendered is not None and layer.is_complete:  # no OCR: the preview is of this PDF
        found = Preview(rendered.png, rendered.pages, rendered.blank_pages)
    return Text(layer.text.strip(), source, layer.is_complete, found)


_ahead: ContextVar[dict[str, TextAndPreview] | None] = ContextVar("_ahead", default=None)


def text_at_hand(eingang: Eingang) -> bool:
    """:func:`extract_text` of the Eingang takes a result made ahead (:func:`texts_ahead`)."""
    pdf_blob = working_pdf(eingang)
    return pdf_blob is not None and pdf_blob.sha256 in (_ahead.get() or {})


def texts_made_ahead(pdfs: Mapping[str, bytes]) -> dict[str, TextAndPreview]:
    """The text layer and preview of ``pdfs`` (by SHA-256; the PDFs of one hand-in), small ones
    read in one shared child."""
    return dict(zip(pdfs, texts_and_previews(list(pdfs.values())), strict=True))


@contextmanager
def texts_ahead(made: dict[str, TextAndPreview]) -> Iterator[None]:
    """Within the block, :func:`extract_text` of a PDF in ``made`` takes its result from there
    instead of a child run of its own."""
    token = _ahead.set(made)
    try:
        yield
    finally:
        _ahead.reset(token)


@dataclass(frozen=True)
class Recognised:
    pdf: bytes
    text: str
    rotated_pages: list[int] = field(default_factory=list)
    confidence: int | None = None


def recognise(eingang: Eingang, *, jobs: int = 2) -> Recognised:
    source = read(working_pdf(eingang))
    try:
        result = run_ocr(source, jobs=jobs)
    except OcrFailed as exc:
        raise StepFailed(
            _("Text recognition exceeded the time or memory limit.")
            if exc.outcome.killed_by_limit
            else _("Text recognition (OCR) failed for this file.")
        ) from exc
    return Recognised(result.pdf, result.text, result.rotated_pages, result.confidence)


@dataclass(frozen=True)
class Preview:
    png: bytes
    pages: int
    blank_pages: list[int]


def preview(eingang: Eingang) -> Preview | None:
    pdf_blob = eingang.archiv or working_pdf(eingang)
    if pdf_blob is None:
        return None
    answer = ask("render", read(pdf_blob))
    if answer.status != "ok":
        raise StepFailed(_("No preview could be made of the PDF."))
    return Preview(answer.payload, int(answer.details["pages"]), list(answer.details["blank"]))
