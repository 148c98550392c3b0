"""Text layer and preview of a born-digital PDF in one child run; a PDF that needs OCR gets
no preview from it (its preview is made of the OCR rendition later)."""

from __future__ import annotations

from amtsfluss.posteingang import pdf
from tests.posteingang.files import broken_pdf, scan_pdf, text_pdf


def test_a_text_pdf_gets_its_text_and_preview_from_one_run() -> None:
    data = text_pdf("Widerspruch gegen den Gebührenbescheid", "Musterstadt, Hauptstraße 5")
    layer, rendered = pdf.text_layer_and_preview(data)
    assert isinstance(layer, pdf.TextLayer)
    assert layer.is_complete
    assert "Gebührenbescheid" in layer.text
    assert rendered is not None
    assert rendered.png.startswith(b"\x89PNG\r\n\x1a\n")
    assert (rendered.pages, rendered.blank_pages) == (1, [])
    alone = pdf.ask("render", data)  # the same preview as the render mode alone
    assert (alone.payload, alone.details["pages"]) == (rendered.png, rendered.pages)
    assert pdf.text_layer(data) == layer  # and the same text


def test_a_scan_gets_no_preview_from_the_text_run() -> None:
    layer, rendered = pdf.text_layer_and_preview(scan_pdf("Ein gescannter Brief"))
    assert isinstance(layer, pdf.TextLayer)
    assert not layer.is_complete
    assert rendered is None


def test_a_broken_pdf_answers_broken() -> None:
    layer, rendered = pdf.text_layer_and_preview(broken_pdf())
    assert isinstance(layer, pdf.PdfAnswer)
    assert layer.status == "broken"
    assert rendered is None


def test_the_text_layer_is_clean_text_per_page() -> None:
    """PDFium's own markers are gone: no CR, a word hyphenated at a line end joined again,
    umlauts and ß kept; pages apart by form feed, each with its character count."""
    layer = pdf.text_layer(
        text_pdf("Die Stadtverwal-", "tung teilt mit: Straßenbaumaßnahme", "Übergabe am Markt")
    )
    assert isinstance(layer, pdf.TextLayer)
    assert layer.text == ("Die Stadtverwaltung teilt mit: Straßenbaumaßnahme\nÜbergabe am Markt")
    assert not any(ord(char) < 32 and char not in "\n\f" for char in layer.text)
    assert layer.chars_per_page == [len(layer.text)]
