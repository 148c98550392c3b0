"""Checking a received file before anything else parses it.

:func:`check_file` answers with the media type found by content, or with the reason for
refusing the file — a sentence for people. Nothing here raises for bad input. The order is
cheapest first: size, libmagic, the allow-list, the extension, then the type's own checks
(ZIP directory and real decompressed sizes, image header, the PDF opened in a limited child).
:func:`check_files` checks the files of one hand-in together: their PDFs are opened by
:func:`~amtsfluss.posteingang.pdf.ask_many`, small ones in one shared child.
"""

from __future__ import annotations

import io
import itertools
import os
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

import magic
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

from amtsfluss.posteingang import media
from amtsfluss.posteingang.pdf import PdfAnswer, ask_many

MIB = 1024 * 1024
MAX_ZIP_MEMBERS = 1000
MAX_ZIP_UNCOMPRESSED = 200 * MIB
MAX_ZIP_RATIO = 100
#: 40 megapixels: an A4 page at 600 dpi is 35; Pillow's own limit (89 M) is far above a scan
MAX_IMAGE_PIXELS = 40_000_000
MAX_IMAGE_FRAMES = 500


@dataclass(frozen=True)
class Befund:
    """The outcome of checking one file: a media type, or a refusal with ``reason``."""

    media_type: str = ""
    reason: str = ""
    code: str = ""

    @property
    def accepted(self) -> bool:
        return not self.reason


def refuse(code: str, reason: str) -> Befund:
    return Befund(reason=reason, code=code)


def too_large() -> Befund:
    """The refusal of a file beyond ``AMTSFLUSS_MAX_UPLOAD_BYTES`` (also when an upload's
    transport stopped reading it at that limit)."""
    limit = settings.AMTSFLUSS_MAX_UPLOAD_BYTES
    return refuse(
        "too_large", _("The file is larger than the limit of %s.") % filesizeformat(limit)
    )


def check_file(data: bytes, filename: str) -> Befund:
    return check_files([(data, filename)])[0]


def check_files(files: Sequence[tuple[bytes, str]]) -> list[Befund]:
    """The Befund of each ``(data, filename)`` — the files of one hand-in — in order."""
    befunde = [_check_before_opening_pdf(data, filename) for data, filename in files]
    pdfs = [i for i, befund in enumerate(befunde) if befund.media_type == media.PDF]
    answers = ask_many("probe", [files[i][0] for i in pdfs])
    for index, answer in zip(pdfs, answers, strict=True):
        if reason := pdf_refusal(answer):
            befunde[index] = refuse(*reason)
    return befunde


def _check_before_opening_pdf(data: bytes, filename: str) -> Befund:
    """Every check but opening a PDF (:func:`pdf_refusal` decides on that afterwards)."""
    if len(data) > settings.AMTSFLUSS_MAX_UPLOAD_BYTES:
        return too_large()
    if not data:
        return refuse("empty", _("The file is empty."))
    found = detect_media_type(data)
    if found not in media.EXTENSIONS:
        return refuse(
            "type",
            _(
                "Files of this type (%s) are not accepted. Please send PDF, TIFF, JPEG, PNG, "
                "Office documents, RTF, plain text or e-mail files."
            )
            % (found or "?"),
        )
    extension = os.path.splitext(filename)[1].lower()
    if extension not in media.EXTENSIONS[found]:
        return refuse(
            "extension",
            _(
                "The file name ends in “%(ext)s”, but the content is %(type)s. Files whose name "
                "does not match their content are not accepted."
            )
            % {"ext": extension or _("(no extension)"), "type": found},
        )
    if found not in media.ZIP_OFFICE and _is_zip(data):
        return refuse(
            "polyglot",
            _("The file is at the same time a %s and a ZIP archive; such files are not accepted.")
            % found,
        )
    reason = _type_check(found, data)
    return refuse(*reason) if reason else Befund(media_type=found)


def detect_media_type(data: bytes) -> str:
    found = magic.from_buffer(data[: 4 * MIB], mime=True).lower()
    found = media.ALIASES.get(found, found)
    if found in {"application/zip", "application/octet-stream"} and _is_zip(data):
        return _office_zip_type(data) or found
    return found


def _is_zip(data: bytes) -> bool:
    try:
        return zipfile.is_zipfile(io.BytesIO(data))
    except Exception:  # a damaged end-of-directory record
        return False


def _office_zip_type(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                return media.ODF_MIMETYPES.get(archive.read("mimetype")[:100].strip())
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        return None
    for marker, media_type in media.OOXML_MARKERS.items():
        if marker in names:
            return media_type
    return None


def _type_check(media_type: str, data: bytes) -> tuple[str, str] | None:
    if media_type in media.ZIP_OFFICE:
        return check_office_zip(data)
    if media_type in media.IMAGES:
        return check_image(data)
    return None


def _is_unsafe_name(name: str) -> bool:
    normalised = name.replace("\\", "/")
    parts = normalised.split("/")
    return (
        normalised.startswith("/")
        or (len(normalised) > 1 and normalised[1] == ":")
        or ".." in parts
        or any(ord(ch) < 0x20 for ch in name)
    )


def check_office_zip(data: bytes) -> tuple[str, str] | None:
    """Bombs (members, real decompressed size, ratio) and zip-slip names in an Office file."""
    bomb = (
        "zip_bomb",
        _(
            "The Office file unpacks to far more data than it contains (a “zip bomb”); it was "
            "not opened."
        ),
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                return bomb
            for member in members:
                if _is_unsafe_name(member.filename):
                    return (
                        "zip_slip",
                        _(
                            "The Office file contains a path leading outside of it (“%s”); it "
                            "was not opened."
                        )
                        % member.filename[:100],
                    )
            total = 0
            for member in members:
                total = _unpacked_size(archive, member, total)
                if total < 0:
                    return bomb
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError, ValueError):
        return ("broken", _("The Office file is damaged and cannot be read."))
    return None


def _unpacked_size(archive: zipfile.ZipFile, member: zipfile.ZipInfo, total: int) -> int:
    """``total`` plus the member's real size, or -1 as soon as a limit is passed.

    Decompresses (never trusting the declared sizes), in chunks, stopping at the limit."""
    if member.file_size > MAX_ZIP_UNCOMPRESSED:
        return -1
    size = 0
    compressed = max(member.compress_size, 1)
    with archive.open(member) as stream:
        while chunk := stream.read(MIB):
            size += len(chunk)
            if total + size > MAX_ZIP_UNCOMPRESSED:
                return -1
            if size > MIB and size / compressed > MAX_ZIP_RATIO:
                return -1
    return total + size


def check_image(data: bytes) -> tuple[str, str] | None:
    too_big = (
        "image_bomb",
        _("The image is too large (more than %d megapixels); it was not opened.")
        % (MAX_IMAGE_PIXELS // 1_000_000),
    )
    # Pillow's own limit stays as it is for the rest of the process: above it Pillow warns
    # (an error here) or raises; below it our smaller limit is compared with the header.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                # page by page, never ``n_frames``: Pillow counts a TIFF's pages with work that
                # grows with the square of their number (minutes for a few MB of empty pages)
                for frame in itertools.count():
                    try:
                        image.seek(frame)
                    except EOFError:
                        break
                    if frame >= MAX_IMAGE_FRAMES:
                        return (
                            "image_bomb",
                            _("The image has more than %d pages; it was not opened.")
                            % MAX_IMAGE_FRAMES,
                        )
                    width, height = image.size
                    if width * height > MAX_IMAGE_PIXELS:
                        return too_big
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return too_big
    except Exception:  # Pillow raises many kinds for damaged images
        return ("broken", _("The image is damaged and cannot be read."))
    return None


def pdf_refusal(answer: PdfAnswer) -> tuple[str, str] | None:
    """The refusal (code, reason) of a PDF by the answer of its probe, or None: it is readable."""
    if answer.status == "ok":
        return None
    if answer.status == "encrypted":
        return (
            "encrypted",
            _("The PDF is encrypted or password-protected; please send it without encryption."),
        )
    if answer.status == "limit":
        return (
            "limit",
            _(
                "Reading the PDF exceeded the limits for memory or computing time; it was not "
                "processed."
            ),
        )
    return ("broken", _("The PDF is damaged and cannot be read."))
