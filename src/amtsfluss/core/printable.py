"""Printable PDFs rendered from our own HTML templates: PDF/A-2b, tagged, offline.

WeasyPrint renders with a URL fetcher that refuses every URL (no network, no file system): a
print template is self-contained (inline stylesheet, system fonts, images as data: URIs).

With ``ua=True`` the PDF/A-2b is also identified as PDF/UA-1 (accessible): WeasyPrint writes one
variant only, so a finisher adds what PDF/UA asks on top of the tagged PDF/A — ``pdfuaid:part``
in the XMP packet (declared by a PDF/A extension schema, as PDF/A-2 requires for a namespace it
does not predefine) and ``/ViewerPreferences /DisplayDocTitle true``. The template must then
have a ``<title>`` and ``<html lang>``: without them the document cannot be accessible, and
rendering refuses.

WeasyPrint is imported on the first rendering, not with this module: it takes most of a second
to import, and every process imports this module (web, worker, every command) while few render.
"""

from __future__ import annotations

from functools import cache
from typing import Any
from xml.etree.ElementTree import (  # we only write XML here, never parse it
    Element,
    SubElement,
    register_namespace,
    tostring,
)

import pydyf  # type: ignore[import-untyped]
from django.utils.safestring import SafeString, mark_safe

PDF_VARIANT = "pdf/a-2b"

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
_EXTENSION = "http://www.aiim.org/pdfa/ns/extension/"
_SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
_PROPERTY = "http://www.aiim.org/pdfa/ns/property#"
# PDF/A-2 requires these prefixes for the extension schema (ElementTree's map is global)
register_namespace("pdfaExtension", _EXTENSION)
register_namespace("pdfaSchema", _SCHEMA)
register_namespace("pdfaProperty", _PROPERTY)
_XMP_HEADER = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>\n<x:xmpmeta xmlns:x="adobe:ns:meta/">'
)
_XMP_FOOTER = b'</x:xmpmeta>\n<?xpacket end="r"?>'


def refusing_url_fetcher() -> Any:
    """WeasyPrint's URL fetcher for printable PDFs: it refuses every URL."""
    return _refusing_fetcher_class()()


@cache
def _refusing_fetcher_class() -> type:
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    class RefusingURLFetcher(URLFetcher):  # type: ignore[misc]
        """Fetches nothing: a print template is self-contained, so any URL is a mistake."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            raise ValueError(f"URL fetching is disabled for printable PDFs: {url[:80]}")

    return RefusingURLFetcher


def css_string(text: str) -> SafeString:
    """``text`` as a quoted CSS string; everything but letters, digits, space is escaped."""
    escaped = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text)
    return mark_safe(f'"{escaped}"')  # noqa: S308 - only alphanumerics and CSS escapes


def html_to_pdf(html: str, *, ua: bool = False) -> bytes:
    """``html`` as PDF/A-2b with a structure tree (tagged), fetching nothing.

    ``ua=True``: also PDF/UA-1 (title shown, language and title required, see the module)."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    document = HTML(string=html, url_fetcher=refusing_url_fetcher())
    finisher = _pdf_ua_finisher if ua else None
    pdf: bytes = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True, finisher=finisher)
    return pdf


def _pdf_ua_finisher(document: Any, pdf: pydyf.PDF) -> None:
    """Adds the PDF/UA-1 identification and viewer preference to WeasyPrint's PDF/A-2b."""
    metadata = document.metadata
    if not metadata.title or not metadata.lang:
        raise ValueError("A PDF/UA document needs a <title> and <html lang>")
    pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})
    weasyprint_rdf: bytes = metadata.generate_rdf_metadata("a", 2, "B")
    closing = b"</rdf:RDF>"
    if not weasyprint_rdf.endswith(closing):
        raise ValueError("Unexpected XMP from WeasyPrint")
    ours = b"".join(
        tostring(element, encoding="utf-8", xml_declaration=False)
        for element in (_ua_identification(), _ua_extension_schema())
    )
    rdf = weasyprint_rdf[: -len(closing)] + ours + closing
    packet = b"\n".join((_XMP_HEADER, rdf, _XMP_FOOTER))
    stream = pdf.objects[int(pdf.catalog["Metadata"].split()[0])]
    stream.stream = [packet]


def _ua_identification() -> Element:
    description = Element(f"{{{_RDF}}}Description", {f"{{{_RDF}}}about": ""})
    SubElement(description, f"{{{_PDFUAID}}}part").text = "1"
    return description


def _ua_extension_schema() -> Element:
    """The PDF/A extension schema that declares ``pdfuaid:part`` (PDF/A-2 §6.6.2.3)."""
    description = Element(f"{{{_RDF}}}Description", {f"{{{_RDF}}}about": ""})
    schemas = SubElement(description, f"{{{_EXTENSION}}}schemas")
    bag = SubElement(schemas, f"{{{_RDF}}}Bag")
    schema = SubElement(bag, f"{{{_RDF}}}li", {f"{{{_RDF}}}parseType": "Resource"})
    SubElement(schema, f"{{{_SCHEMA}}}schema").text = "PDF/UA identification"
    SubElement(schema, f"{{{_SCHEMA}}}namespaceURI").text = _PDFUAID
    SubElement(schema, f"{{{_SCHEMA}}}prefix").text = "pdfuaid"
    properties = SubElement(SubElement(schema, f"{{{_SCHEMA}}}property"), f"{{{_RDF}}}Seq")
    part = SubElement(properties, f"{{{_RDF}}}li", {f"{{{_RDF}}}parseType": "Resource"})
    SubElement(part, f"{{{_PROPERTY}}}name").text = "part"
    SubElement(part, f"{{{_PROPERTY}}}valueType").text = "Integer"
    SubElement(part, f"{{{_PROPERTY}}}category").text = "internal"
    SubElement(part, f"{{{_PROPERTY}}}description").text = "Part of ISO 14289 followed"
    return description
