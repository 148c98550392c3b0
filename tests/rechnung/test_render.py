"""The readable view, the validation report and the printable PDF/A of an e-invoice."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape
from pypdf import PdfReader

from amtsfluss.core.printable import css_string, refusing_url_fetcher
from amtsfluss.rechnung.invoice.model import Invoice, Line
from amtsfluss.rechnung.invoice.parse import parse_invoice
from amtsfluss.rechnung.invoice.presentation import (
    Amount,
    attachment_links,
    format_iban,
    invoice_context,
)
from amtsfluss.rechnung.invoice.printable import invoice_pdf, validation_report_pdf
from amtsfluss.rechnung.invoice.validation_report import short_location, validation_view
from amtsfluss.rechnung.validation.validator import Finding, ValidationResult
from tests.rechnung.conftest import TESTSUITE

CASES = TESTSUITE / "src" / "test" / "business-cases"
UBL_NESTED = CASES / "extension" / "04.01a-INVOICE_ubl.xml"
CII_MANY_LINES = CASES / "standard" / "01.13a-INVOICE_uncefact.xml"
UBL_SKONTO = CASES / "standard" / "01.10a-INVOICE_ubl.xml"
CII_ATTACHMENTS = (
    TESTSUITE
    / "src"
    / "test"
    / "technical-cases"
    / "cius"
    / ("01.01_comprehensive_test_uncefact.xml")
)

REJECTED = ValidationResult(
    file="rechnung.xml",
    syntax="ubl-invoice",
    customization_id="urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0",
    scenario="EN16931 XRechnung (UBL Invoice)",
    verdict="reject",
    findings=[
        Finding(
            "BR-DE-15",
            "error",
            "Das Element „Buyer reference“ (BT-10) muss übermittelt werden.",
            "/*:Invoice[namespace-uri()='urn:oasis:names:specification:ubl:schema:xsd:"
            "Invoice-2'][1]",
        ),
        Finding("BR-DE-TMP-32", "warning", "Veraltete Angabe.", ""),
    ],
)


def _parse(path: Path) -> Invoice:
    return parse_invoice(path.read_bytes())


def _all_lines(lines: tuple[Line, ...]) -> list[Line]:
    return [x for line in lines for x in (line, *_all_lines(line.sub_lines))]


def _render(invoice: Invoice, **kwargs: object) -> str:
    return render_to_string("rechnung/includes/invoice.html", invoice_context(invoice, **kwargs))


@pytest.mark.parametrize(
    ("path", "payable"), [(UBL_NESTED, "4.918,84 EUR"), (CII_MANY_LINES, "6.342,70 EUR")]
)
def test_readable_view_shows_every_line_and_the_amount_due(path: Path, payable: str) -> None:
    invoice = _parse(path)
    with translation.override("de"):
        html = _render(invoice)
    lines = _all_lines(invoice.lines)
    assert len(lines) in {15, 11}
    for line in lines:
        assert escape(line.name) in html, line.name
        assert f">{escape(line.line_id)}</th>" in html
    assert payable in html
    assert html.count("<table") == html.count("<caption")
    assert 'scope="col"' in html and 'scope="row"' in html


def test_sub_lines_are_indented_and_announced() -> None:
    with translation.override("de"):
        html = _render(_parse(UBL_NESTED))
    assert "af-invoice__line--depth-2" in html
    assert "1.324,00 EUR" in html  # sub line "2 1" with German grouping


def test_payment_details_and_skonto() -> None:
    invoice = _parse(UBL_SKONTO)
    with translation.override("de"):
        html = _render(invoice)
    assert "DE75 5121 0800 1245 1261 99" in html  # IBAN formatted by schwifty
    # 2 % Skonto within 7 days of 27.06.2016 on 2.594,20 EUR
    assert "04.07.2016" in html and "51,88 EUR" in html and "2.542,32 EUR" in html
    assert "#SKONTO#" not in html


def test_attachment_links() -> None:
    invoice = _parse(CII_ATTACHMENTS)
    links = attachment_links(invoice, lambda a: f"/rechnungen/7/anhang/{a.reference}")
    assert links == {
        "01_15_Anhang_01.pdf": "/rechnungen/7/anhang/01_15_Anhang_01.pdf",
        "01_15_Anhang_02.pdf": "/rechnungen/7/anhang/01_15_Anhang_02.pdf",
    }
    with translation.override("de"):
        html = _render(invoice, attachment_url=links)
    assert 'href="/rechnungen/7/anhang/01_15_Anhang_01.pdf"' in html
    assert "https://xeinkauf.de/xrechnung/" in html  # shown as text, never as a link
    assert 'href="https://xeinkauf.de' not in html


def test_amount_formatting_follows_the_language() -> None:
    amount = Amount(Decimal("-1234567.5"), "EUR")
    with translation.override("de"):
        assert str(amount) == "-1.234.567,50"
        assert str(Amount(Decimal("158.1250000000"), "EUR")) == "158,125"
    with translation.override("en"):
        assert str(amount) == "-1,234,567.50"


def test_iban_formatting() -> None:
    assert format_iban("DE02120300000000202051") == ("DE02 1203 0000 0000 2020 51", True)
    assert format_iban("1234567890") == ("1234567890", False)


# -- validation report -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "result",
    [REJECTED, REJECTED.to_dict(), validation_view(REJECTED)],
    ids=["result", "dict", "view"],
)
def test_report_in_german(result: object) -> None:
    with translation.override("de"):
        html = render_to_string("rechnung/includes/validation_report.html", {"result": result})
    assert "abgelehnt" in html
    assert "BR-DE-15" in html and "BR-DE-TMP-32" in html
    assert "1 Fehler" in html and "1 Warnung" in html
    assert "Schweregrad" in html and "Fundstelle" in html


def test_report_accepted_in_english() -> None:
    result = ValidationResult(file="x.xml", scenario="EN16931 XRechnung (CII)", verdict="accept")
    with translation.override("en"):
        html = render_to_string("rechnung/includes/validation_report.html", {"result": result})
    assert "accepted" in html and "no findings" in html and "<table" not in html


def test_report_locations_are_shortened_and_errors_come_first() -> None:
    view = validation_view({"verdict": "reject", "findings": list(reversed(REJECTED.findings))})
    assert [f.rule for f in view.findings] == ["BR-DE-15", "BR-DE-TMP-32"]
    assert view.findings[0].location == "/Invoice"
    assert short_location("/Q{urn:x}Invoice[1]/Q{urn:y}ID[1]") == "/Invoice/ID"


# -- printable PDF ---------------------------------------------------------------------------


def test_invoice_pdf_is_tagged_pdf_a_with_the_report() -> None:
    invoice = _parse(UBL_NESTED)
    with translation.override("de"):
        pdf = invoice_pdf(invoice, validation=REJECTED)
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert invoice.number in text
    assert "4.918,84" in text
    assert "abgelehnt" in text and "BR-DE-15" in text
    assert f"/ {len(reader.pages)}" in text  # page numbers "Seite n / N"
    catalog = reader.trailer["/Root"]
    xmp = catalog["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="2"' in xmp and b'pdfaid:conformance="B"' in xmp
    assert bool(catalog["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "de"
    assert "/OutputIntents" in catalog


def test_invoice_pdf_without_report() -> None:
    invoice = _parse(CII_MANY_LINES)
    with translation.override("de"):
        pdf = invoice_pdf(invoice)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Rechnungsnummer" in text and "6.342,70" in text
    assert "BR-DE" not in text


def test_validation_report_pdf_for_an_unreadable_document() -> None:
    with translation.override("de"):
        pdf = validation_report_pdf(REJECTED.to_dict(), file_name="rechnung.xml")
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Prüfbericht" in text and "rechnung.xml" in text
    assert "abgelehnt" in text and "BR-DE-15" in text and "/Invoice" in text
    assert b'pdfaid:part="2"' in reader.trailer["/Root"]["/Metadata"].get_object().get_data()


def test_pdf_fetches_nothing() -> None:
    fetcher = refusing_url_fetcher()
    for url in ("https://example.org/logo.png", "file:///etc/passwd", "data:text/css,p{}"):
        with pytest.raises(ValueError, match="disabled"):
            fetcher.fetch(url)


def test_css_string_cannot_break_out() -> None:
    value = css_string('Rechnung "1"; } </style><script>x</script> \\')
    assert value.startswith('"') and value.endswith('"')
    assert not any(c in value[1:-1] for c in "\"'<>;{}") and value.count("\\") > 5


def test_dates_in_the_view() -> None:
    invoice = _parse(UBL_SKONTO)
    assert invoice.issue_date == date(2016, 6, 27)
    with translation.override("de"):
        html = _render(invoice)
    assert "27.06.2016" in html
