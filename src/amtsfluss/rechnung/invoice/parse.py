"""Entry points: bytes of an XML e-invoice → :class:`Invoice`, and one embedded attachment.

Untrusted bytes pass the same gate as in validation (size, PDF sniff, prolog scan that refuses
any DOCTYPE, then the hardened lxml parser that never resolves entities); every problem ends as
:class:`InvoiceParseError` with a translated message.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from lxml import etree  # type: ignore[import-untyped]

from amtsfluss.rechnung.invoice import cii, ubl
from amtsfluss.rechnung.invoice.embedded import MAX_ATTACHMENT_BYTES, decode
from amtsfluss.rechnung.invoice.model import Invoice
from amtsfluss.rechnung.invoice.reading import InvoiceParseError, Node
from amtsfluss.rechnung.validation.hardening import MAX_BYTES, hardened_parser, prolog_problem

__all__ = ["InvoiceParseError", "attachment_content", "parse_invoice"]

_UBL_INVOICE_ROOT = f"{{{ubl.UBL_INVOICE}}}Invoice"
_UBL_CREDITNOTE_ROOT = f"{{{ubl.UBL_CREDITNOTE}}}CreditNote"
_CII_ROOT = f"{{{cii.CII}}}CrossIndustryInvoice"
_UNSAFE_FILENAME = re.compile(r"[\x00-\x1f\x7f\"\\/:*?<>|]+")


def _doctype_refused() -> InvoiceParseError:
    return InvoiceParseError(
        _("The file was refused unread: DOCTYPE and other markup declarations are not allowed.")
    )


def _root(xml: bytes) -> Any:
    if len(xml) > MAX_BYTES:
        raise InvoiceParseError(
            _("The file is too large (%(size)s MiB, at most %(limit)s MiB).")
            % {"size": round(len(xml) / 1024 / 1024, 1), "limit": MAX_BYTES // 1024 // 1024}
        )
    if xml.lstrip()[:5] == b"%PDF-":
        raise InvoiceParseError(
            _("This is a PDF file. Only the XML of an e-invoice can be read here.")
        )
    problem = prolog_problem(xml)
    if problem is not None:
        if "DOCTYPE" in problem or "Deklaration" in problem:
            raise _doctype_refused()
        raise InvoiceParseError(_("The file is not XML."))
    try:
        root = etree.fromstring(xml, hardened_parser())
    except etree.XMLSyntaxError as exc:
        if "limit" in str(exc).lower() or "huge" in str(exc).lower():
            raise InvoiceParseError(
                _(
                    "The file holds an element too large to read "
                    "(for example an attachment above 7 MiB)."
                )
            ) from None
        line, column = exc.position
        raise InvoiceParseError(
            _("The file is not well-formed XML (line %(line)s, column %(column)s).")
            % {"line": line, "column": column}
        ) from None
    if root.getroottree().docinfo.doctype:  # defence in depth; the prolog scan refused it
        raise _doctype_refused()
    return root


def _unknown_document() -> InvoiceParseError:
    return InvoiceParseError(
        _(
            "This is not an e-invoice: expected a UBL Invoice, a UBL CreditNote or a "
            "UN/CEFACT Cross Industry Invoice."
        )
    )


def parse_invoice(xml: bytes) -> Invoice:
    """The EN 16931 content of a UBL Invoice, UBL CreditNote or CII document."""
    root = _root(xml)
    if root.tag == _UBL_INVOICE_ROOT:
        return ubl.parse_ubl(Node(root, ubl.NAMESPACES), credit_note=False)
    if root.tag == _UBL_CREDITNOTE_ROOT:
        return ubl.parse_ubl(Node(root, ubl.NAMESPACES), credit_note=True)
    if root.tag == _CII_ROOT:
        return cii.parse_cii(Node(root, cii.NAMESPACES))
    raise _unknown_document()


def _embedded(root: Any, reference: str) -> tuple[Node, Node] | None:
    """(document reference, binary object) of the first embedded attachment ``reference``."""
    if root.tag in {_UBL_INVOICE_ROOT, _UBL_CREDITNOTE_ROOT}:
        module: Any = ubl
        node, id_path = Node(root, ubl.NAMESPACES), "cbc:ID"
    elif root.tag == _CII_ROOT:
        module = cii
        node, id_path = Node(root, cii.NAMESPACES), "ram:IssuerAssignedID"
    else:
        raise _unknown_document()
    for ref in module.attachment_nodes(node):
        embedded = module.embedded_object(ref)
        if ref.text(id_path) == reference and embedded is not None:
            return ref, embedded
    return None


def safe_filename(name: str, fallback: str) -> str:
    """A filename without path parts or characters that break a Content-Disposition header."""
    cleaned = _UNSAFE_FILENAME.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    return cleaned[:200] or _UNSAFE_FILENAME.sub("_", fallback).strip(" .")[:200] or "attachment"


def attachment_content(
    xml: bytes, reference: str, *, max_bytes: int = MAX_ATTACHMENT_BYTES
) -> tuple[str, str, bytes]:
    """(filename, media type, bytes) of the embedded attachment with BT-122 ``reference``.

    The filename is made safe for a download header; the media type is as declared (BT-125-1)
    and is not checked against the content: serve it as a download, never inline.
    """
    found = _embedded(_root(xml), reference)
    if found is None:
        raise InvoiceParseError(
            _("The e-invoice has no embedded attachment “%(reference)s”.")
            % {"reference": reference}
        )
    _ref, embedded = found
    content = decode(embedded.element.text or "", reference=reference, max_bytes=max_bytes)
    filename = safe_filename(embedded.attr("filename"), reference)
    return filename, embedded.attr("mimeCode") or "application/octet-stream", content
