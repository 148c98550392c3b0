"""core.printable: the Bescheid rendition is PDF/A-2b and PDF/UA-1, read back with pikepdf."""

from __future__ import annotations

import io

import pikepdf
import pytest

from amtsfluss.core.printable import html_to_pdf

PAGE = (
    '<!doctype html><html lang="de"><head><meta charset="utf-8">'
    "<title>Bescheid über die Gebühr</title></head>"
    "<body><h1>Bescheid</h1><p>Sehr geehrte Frau Müller,</p>"
    "<table><tr><th>Gebühr</th><td>12,00 €</td></tr></table></body></html>"
)
PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
PDFUAID = "{http://www.aiim.org/pdfua/ns/id/}"


def opened(pdf: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(pdf))


def test_ua_rendition_is_identified_as_pdf_a_2b_and_pdf_ua_1() -> None:
    document = opened(html_to_pdf(PAGE, ua=True))
    xmp = document.open_metadata()
    assert xmp[f"{PDFAID}part"] == "2"
    assert xmp[f"{PDFAID}conformance"] == "B"
    assert xmp[f"{PDFUAID}part"] == "1"
    assert xmp["dc:title"] == "Bescheid über die Gebühr"
    packet = document.Root.Metadata.read_bytes()
    # PDF/A-2 accepts pdfuaid only when an extension schema declares it, with these prefixes
    assert b"<pdfaExtension:schemas>" in packet
    assert b"<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/<" in packet
    assert b"<pdfaProperty:name>part</pdfaProperty:name>" in packet
    assert packet.count(b"<rdf:RDF") == 1


def test_ua_rendition_is_tagged_titled_and_has_a_language() -> None:
    document = opened(html_to_pdf(PAGE, ua=True))
    root = document.Root
    assert root.MarkInfo.Marked is True
    assert root.ViewerPreferences.DisplayDocTitle is True
    assert str(root.Lang) == "de"
    assert root.StructTreeRoot.Type == pikepdf.Name.StructTreeRoot
    assert str(document.docinfo.Title) == "Bescheid über die Gebühr"
    tags = set()
    pending = [root.StructTreeRoot.K]
    while pending:
        node = pending.pop()
        if isinstance(node, pikepdf.Array):
            pending.extend(node)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            tags.add(str(node.S))
            if "/K" in node:
                pending.append(node.K)
    assert {"/H1", "/P", "/Table"} <= tags
    assert document.Root.OutputIntents[0].S == pikepdf.Name.GTS_PDFA1
    assert all(page.get("/Tabs") == pikepdf.Name.S for page in document.pages)


def test_plain_rendition_stays_pdf_a_without_ua_claim() -> None:
    """The invoices' callers keep what they had: PDF/A-2b, tagged, no PDF/UA claim."""
    document = opened(html_to_pdf(PAGE))
    xmp = document.open_metadata()
    assert xmp[f"{PDFAID}part"] == "2"
    assert f"{PDFUAID}part" not in xmp
    assert document.Root.MarkInfo.Marked is True


@pytest.mark.parametrize(
    "page",
    [
        PAGE.replace(' lang="de"', ""),
        PAGE.replace("<title>Bescheid über die Gebühr</title>", ""),
    ],
    ids=["no-language", "no-title"],
)
def test_ua_rendition_refuses_a_page_without_title_or_language(page: str) -> None:
    with pytest.raises(ValueError, match="PDF/UA document needs"):
        html_to_pdf(page, ua=True)
    assert html_to_pdf(page).startswith(b"%PDF-1.7")
