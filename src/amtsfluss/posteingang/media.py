"""The file types the Posteingang takes, by content, and the extensions each may carry."""

from __future__ import annotations

PDF = "application/pdf"
TIFF = "image/tiff"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
RTF = "text/rtf"
TEXT = "text/plain"
EML = "message/rfc822"

#: media type (as found by content) → file name extensions that may go with it
EXTENSIONS: dict[str, frozenset[str]] = {
    PDF: frozenset({".pdf"}),
    TIFF: frozenset({".tif", ".tiff"}),
    JPEG: frozenset({".jpg", ".jpeg", ".jpe"}),
    PNG: frozenset({".png"}),
    DOCX: frozenset({".docx"}),
    XLSX: frozenset({".xlsx"}),
    ODT: frozenset({".odt"}),
    ODS: frozenset({".ods"}),
    DOC: frozenset({".doc"}),
    XLS: frozenset({".xls"}),
    RTF: frozenset({".rtf"}),
    TEXT: frozenset({".txt", ".text", ""}),
    EML: frozenset({".eml"}),
}

IMAGES = frozenset({TIFF, JPEG, PNG})
OOXML = frozenset({DOCX, XLSX})
ODF = frozenset({ODT, ODS})
ZIP_OFFICE = OOXML | ODF
#: converted to PDF by LibreOffice
OFFICE = ZIP_OFFICE | frozenset({DOC, XLS, RTF})
#: their text is read directly, no PDF rendition
PLAIN = frozenset({TEXT, EML})

#: what libmagic may call an allowed type, and the type we mean
ALIASES = {
    "application/x-pdf": PDF,
    "application/vnd.ms-office": DOC,
    "application/cdfv2": DOC,
    "application/x-ole-storage": DOC,
    "application/rtf": RTF,
    "text/x-mail": EML,
    "application/vnd.ms-excel.sheet.macroenabled.12": XLSX,
}

#: ZIP members that tell which Office format a ZIP is (libmagic is not always sure)
OOXML_MARKERS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX}
ODF_MIMETYPES = {ODT.encode(): ODT, ODS.encode(): ODS}
