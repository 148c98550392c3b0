"""Test files made here: text PDFs, a scanned page, Office files, and hostile variants."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import img2pdf  # type: ignore[import-untyped]
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _escape(line: str) -> bytes:
    raw = line.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def text_pdf(*lines: str) -> bytes:
    """A one-page PDF with a real text layer (Helvetica, WinAnsi), objects and xref by hand."""
    shown = b" ".join(b"(" + _escape(line) + b") '" for line in lines)
    stream = b"BT /F1 12 Tf 72 760 Td 16 TL " + shown + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def scan_png(*lines: str, dpi: int = 300) -> bytes:
    """A small 'scanned' page: the lines drawn in DejaVu Sans on white, grayscale."""
    font = ImageFont.truetype(FONT, 44)
    image = Image.new("L", (1500, 120 + 110 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines):
        draw.text((60, 60 + 110 * number), line, font=font, fill=0)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(dpi, dpi))
    return buffer.getvalue()


def scan_tiff(*lines: str) -> bytes:
    """A two-page TIFF: the lines on page 1, page 2 left blank (the back of the sheet)."""
    page = Image.open(io.BytesIO(scan_png(*lines)))
    blank = Image.new("L", page.size, 255)
    buffer = io.BytesIO()
    page.save(buffer, format="TIFF", save_all=True, append_images=[blank], dpi=(300, 300))
    return buffer.getvalue()


def scan_pdf(*lines: str) -> bytes:
    return bytes(img2pdf.convert(scan_png(*lines)))


def encrypted_pdf(user_password: str = "geheim") -> bytes:  # noqa: S107 - a test file
    """Encrypted; with an empty user password it opens without one (owner password only)."""
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(text_pdf("Vertraulicher Bescheid über Gebühren"))))
    writer.encrypt(user_password=user_password, owner_password="noch-geheimer")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def broken_pdf() -> bytes:
    return b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\n" + b"\x00\xff garbage" * 50


def polyglot_pdf_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.txt", "hidden")
    return text_pdf("Ein harmlos aussehendes Schreiben der Stadtverwaltung") + buffer.getvalue()


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def _document_xml(*paragraphs: str) -> str:
    body = "".join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" for text in paragraphs)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )


def docx(*paragraphs: str, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        members = {"word/document.xml": _document_xml(*paragraphs).encode(), **(extra or {})}
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def odt(*paragraphs: str) -> bytes:
    body = "".join(f"<text:p>{text}</text:p>" for text in paragraphs)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type='
        '"application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.text",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)
    return buffer.getvalue()


def zip_bomb_docx(megabytes: int = 300) -> bytes:
    """A valid-looking .docx with a member that inflates to ``megabytes`` of zeros."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(1024 * 1024)
    deflated = b"".join(compressor.compress(chunk) for _ in range(megabytes)) + compressor.flush()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", _document_xml("Bombe"))
        info = zipfile.ZipInfo("word/media/image1.bin")
        info.compress_type = zipfile.ZIP_DEFLATED
        info.file_size = megabytes * 1024 * 1024
        info.compress_size = len(deflated)
        info.CRC = zlib.crc32(bytes(0))
        _write_raw_member(archive, info, deflated, megabytes)
    return buffer.getvalue()


def _write_raw_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, deflated: bytes, mb: int
) -> None:
    """Write an already deflated member (so the test does not inflate 300 MB to zip it)."""
    crc = 0
    zero = bytes(1024 * 1024)
    for _ in range(mb):
        crc = zlib.crc32(zero, crc)
    info.CRC = crc
    fp = archive.fp
    assert fp is not None
    info.header_offset = fp.tell()
    fp.write(info.FileHeader())
    fp.write(deflated)
    archive.filelist.append(info)
    archive.NameToInfo[info.filename] = info
    archive.start_dir = fp.tell()


def zip_slip_docx() -> bytes:
    return docx("Harmlos", extra={"../../../../tmp/evil.sh": b"#!/bin/sh\nrm -rf /\n"})


def png_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A real 1-bit PNG of width × height white pixels (compresses to a few hundred KB)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + b"\xff" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def tiff_pages(count: int) -> bytes:
    """A valid little-endian TIFF of ``count`` pages of one white pixel each (about 100 bytes a
    page): all pages share one strip byte, as a crafted file would."""
    tags = 8
    ifd_size = 2 + 12 * tags + 4
    first = 8
    pixel = first + count * ifd_size

    def ifd(number: int) -> bytes:
        entries = [
            (256, 4, 1, 1),  # ImageWidth
            (257, 4, 1, 1),  # ImageLength
            (258, 3, 1, 1),  # BitsPerSample
            (259, 3, 1, 1),  # Compression: none
            (262, 3, 1, 0),  # PhotometricInterpretation: white is zero
            (273, 4, 1, pixel),  # StripOffsets
            (278, 4, 1, 1),  # RowsPerStrip
            (279, 4, 1, 1),  # StripByteCounts
        ]
        following = first + (number + 1) * ifd_size if number + 1 < count else 0
        body = b"".join(struct.pack("<HHII", *entry) for entry in entries)
        return struct.pack("<H", tags) + body + struct.pack("<I", following)

    return b"II*\x00" + struct.pack("<I", first) + b"".join(map(ifd, range(count))) + b"\x00"


def odt_linking(url: str) -> bytes:
    """An .odt whose image is not inside but linked: LibreOffice would fetch ``url``."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
        ' xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"'
        ' xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"'
        ' xmlns:xlink="http://www.w3.org/1999/xlink" office:version="1.2">'
        "<office:body><office:text><text:p>Brief mit Bild</text:p><text:p>"
        '<draw:frame draw:name="Bild" svg:width="2cm" svg:height="2cm"'
        ' text:anchor-type="paragraph">'
        f'<draw:image xlink:href="{url}" xlink:type="simple" xlink:show="embed"'
        ' xlink:actuate="onLoad"/></draw:frame></text:p>'
        "</office:text></office:body></office:document-content>"
    )
    plain = odt("x")
    with zipfile.ZipFile(io.BytesIO(plain)) as source:
        members = {name: source.read(name) for name in source.namelist()}
    members["content.xml"] = content.encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), members.pop("mimetype"), compress_type=zipfile.ZIP_STORED
        )
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_linking(url: str) -> bytes:
    """A .docx whose picture is an external relationship: Word and LibreOffice fetch ``url``."""
    picture = (
        '<w:p><w:r><w:drawing><wp:inline><wp:extent cx="914400" cy="914400"/>'
        '<wp:docPr id="1" name="Bild"/><a:graphic><a:graphicData'
        ' uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>'
        '<pic:nvPicPr><pic:cNvPr id="0" name="bild.png"/><pic:cNvPicPr/></pic:nvPicPr>'
        '<pic:blipFill><a:blip r:link="rIdBild"/><a:stretch><a:fillRect/></a:stretch>'
        '</pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="914400" cy="914400"/>'
        '</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>'
        "</a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"
    )
    namespaces = (
        ' xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"'
        ' xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
        ' xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"'
        ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    )
    document = _document_xml("Brief mit Bild").replace(
        "<w:document ", f"<w:document{namespaces} ", 1
    )
    document = document.replace("</w:body>", f"{picture}</w:body>", 1)
    relationships = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rIdBild" TargetMode="External" Target="'
        f'{url}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"/>'
        "</Relationships>"
    )
    return docx(
        extra={
            "word/document.xml": document.encode(),
            "word/_rels/document.xml.rels": relationships.encode(),
        }
    )
