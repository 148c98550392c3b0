"""Reading e-invoices into the EN 16931 model: the official material, spot checks, hostile input."""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation
from facturx import get_xml_from_pdf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from amtsfluss.rechnung.invoice.cii import nest_lines
from amtsfluss.rechnung.invoice.embedded import decoded_size
from amtsfluss.rechnung.invoice.model import Invoice, Line, Skonto
from amtsfluss.rechnung.invoice.parse import InvoiceParseError, attachment_content, parse_invoice
from amtsfluss.rechnung.invoice.skonto import free_text, parse_skonto, skonto_line
from tests.rechnung.conftest import TESTSUITE

ZUGFERD = Path(os.environ.get("AMTSFLUSS_ZUGFERD_CORPUS", "/work/shared/standards/zugferd"))
SUITE_FILES = sorted(TESTSUITE.rglob("*.xml"))
ZUGFERD_FILES = sorted(ZUGFERD.rglob("*.xml"))
EXTENDED_PDFS = sorted(ZUGFERD.glob("ZUGFeRDv2/correct/intarsys/EXTENDED/*.pdf"))
CASES = TESTSUITE / "src" / "test" / "business-cases"
CIUS = TESTSUITE / "src" / "test" / "technical-cases" / "cius"


def _is_invalid(path: Path) -> bool:
    """The corpus marks invalid instances by folder (``fail``) or name (``not_validating``)."""
    return "fail" in path.parts or path.name.startswith("not_validating")


def _all_lines(lines: tuple[Line, ...]) -> list[Line]:
    return [x for line in lines for x in (line, *_all_lines(line.sub_lines))]


# -- the official material -------------------------------------------------------------------


def test_material_is_present() -> None:
    assert len(SUITE_FILES) >= 86, f"XRechnung test suite missing under {TESTSUITE}"
    assert len(EXTENDED_PDFS) == 2, f"ZUGFeRD EXTENDED samples missing under {ZUGFERD}"
    assert len(ZUGFERD_FILES) >= 12, (
        f"ZUGFeRD corpus subset missing under {ZUGFERD} (ZUGFeRD/corpus, see its README; "
        "override with AMTSFLUSS_ZUGFERD_CORPUS)"
    )


@pytest.mark.parametrize(
    "path", SUITE_FILES + ZUGFERD_FILES, ids=[p.name for p in SUITE_FILES + ZUGFERD_FILES]
)
def test_every_official_instance_parses(path: Path) -> None:
    invoice = parse_invoice(path.read_bytes())
    assert invoice.number and invoice.seller.name and invoice.buyer.name
    assert invoice.lines, "every instance has at least one line"
    assert invoice.currency == "EUR"
    if _is_invalid(path):
        return
    totals = invoice.totals
    assert sum(line.net_amount for line in invoice.lines) == totals.line_net  # BR-CO-10
    assert sum(tax.tax_amount for tax in invoice.taxes) == totals.tax  # BR-CO-14
    assert totals.line_net - totals.allowances + totals.charges == totals.net  # BR-CO-13
    third_party = sum(p.amount for p in invoice.third_party_payments)  # XRechnung extension
    assert totals.gross - totals.prepaid + totals.rounding + third_party == totals.payable


@pytest.mark.parametrize("path", EXTENDED_PDFS, ids=[p.name for p in EXTENDED_PDFS])
def test_factur_x_extended_xml_is_tolerated(path: Path) -> None:
    _name, xml = get_xml_from_pdf(path.read_bytes(), check_xsd=False)
    invoice = parse_invoice(xml)
    assert "extended" in invoice.customization_id
    assert sum(line.net_amount for line in invoice.lines) == invoice.totals.line_net
    assert sum(tax.tax_amount for tax in invoice.taxes) == invoice.totals.tax


# -- spot checks -----------------------------------------------------------------------------


def test_ubl_invoice_with_skonto() -> None:
    invoice = parse_invoice((CASES / "standard" / "01.10a-INVOICE_ubl.xml").read_bytes())
    assert invoice.syntax == "ubl-invoice"
    assert invoice.number == "Rechnungsnummer"
    assert invoice.issue_date == date(2016, 6, 27)
    assert invoice.seller.name == "[Seller name]"
    assert invoice.buyer_reference == "04011000-12350-85"
    assert invoice.totals.payable == Decimal("2594.2")
    assert invoice.payment.iban == "DE75512108001245126199"
    assert invoice.payment.means_code == "58"
    assert invoice.payment.skonto == (
        Skonto(days=7, percent=Decimal("2.00")),
        Skonto(days=14, percent=Decimal("1.00")),
        Skonto(days=30, percent=Decimal("0.00")),
    )
    assert free_text(invoice.payment.text) == ""


def test_cii_comprehensive() -> None:
    data = (CIUS / "01.01_comprehensive_test_uncefact.xml").read_bytes()
    invoice = parse_invoice(data)
    assert invoice.syntax == "cii"
    assert invoice.number == "1234567"
    assert invoice.issue_date == date(2018, 4, 13)
    assert invoice.seller.name == "[Seller name]"
    assert invoice.seller.trading_name == "[Seller trading name]"
    assert invoice.seller.vat_id == "ATU123456789"
    assert invoice.seller.tax_number == "123/456/789"
    assert invoice.buyer_reference == "90000000-03083-72"
    assert (invoice.order_reference, invoice.contract_reference) == ("65002278", "0000000752")
    assert (invoice.project_reference, invoice.preceding_invoice) == ("PR12345678", "PIR1234567890")
    assert invoice.totals.payable == Decimal("12829.69")
    assert invoice.totals.tax == Decimal("2048.44")  # BT-110 in EUR, not BT-111 in GBP
    assert invoice.payment.iban == "DE75512108001245126199"
    assert invoice.payment.due_date == date(2018, 4, 13)
    assert invoice.payment.remittance == "Deb. 12345 / Fact. 9876543"
    assert invoice.payee is not None and invoice.payee.name == "[Payee name]"
    assert invoice.tax_representative is not None
    assert invoice.notes == ("Invoice Note Description", "Invoice Note Description 2")
    first = invoice.lines[0]
    assert str(first.quantity) == "30.00000000000"  # exactly as written
    assert first.net_price == Decimal("158.1250000000")
    assert len(first.allowances_charges) == 4
    assert [a.reference for a in invoice.attachments] == [
        "01_15_Anhang_01.pdf",
        "01_15_Anhang_02.pdf",
    ]
    attachment = invoice.attachments[0]
    assert attachment.media_type == "application/pdf"
    assert attachment.external_uri == "https://xeinkauf.de/xrechnung/"
    filename, media_type, content = attachment_content(data, "01_15_Anhang_01.pdf")
    assert (filename, media_type) == ("01_15_Anhang_01.pdf", "application/pdf")
    assert content.startswith(b"%PDF-") and len(content) == attachment.size


def test_ubl_notes_lose_their_subject_code() -> None:
    invoice = parse_invoice((CIUS / "01.01_comprehensive_test_ubl.xml").read_bytes())
    assert invoice.notes == ("Invoice Note Description", "Invoice Note Description 2")
    assert invoice.seller.name == "[Seller name]"  # RegistrationName, not the trading name
    assert invoice.seller.trading_name == "[Seller trading name]"


def test_ubl_sub_invoice_lines_nest() -> None:
    invoice = parse_invoice((CASES / "extension" / "04.01a-INVOICE_ubl.xml").read_bytes())
    first = invoice.lines[0]
    assert first.name == "Sanitär und Zubehör"
    assert [sub.line_id for sub in first.sub_lines] == ["1 1", "1 2"]
    assert first.sub_lines[0].sub_lines[0].name == "Demontage TW-Rohrleitung DN 12-25"
    assert sum(sub.net_amount for sub in first.sub_lines) == first.net_amount
    assert invoice.totals.prepaid == Decimal("10000.0")


def test_ubl_group_sub_lines_without_quantity() -> None:
    invoice = parse_invoice((CASES / "extension" / "04.03a-INVOICE_ubl.xml").read_bytes())
    groups = [line for line in _all_lines(invoice.lines) if not line.has_quantity]
    assert groups, "04.03a has sub lines that only group others"
    assert all(g.quantity == 0 and g.sub_lines for g in groups)


def _plain_line(line_id: str) -> Line:
    one = Decimal(1)
    return Line(line_id, f"Position {line_id}", one, "C62", one, one)


def test_cii_parent_line_ids_nest() -> None:
    items = [(_plain_line("1"), ""), (_plain_line("1.1"), "1"), (_plain_line("1.1.1"), "1.1")]
    items.append((_plain_line("2"), "unknown parent"))
    nested = nest_lines(items)
    assert [line.line_id for line in nested] == ["1", "2"]
    assert nested[0].sub_lines[0].sub_lines[0].line_id == "1.1.1"


def test_hostile_parent_chains_stay_flat() -> None:
    chain = [(_plain_line(str(i)), str(i - 1) if i else "") for i in range(5000)]
    assert len(nest_lines(chain)) == 5000  # no RecursionError; too deep to nest
    cycle = [(_plain_line("a"), "b"), (_plain_line("b"), "a")]
    assert [line.line_id for line in nest_lines(cycle)] == ["a", "b"]


CREDIT_NOTE = """<?xml version="1.0" encoding="UTF-8"?>
<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
  <cbc:ID>GS-2024-0042</cbc:ID>
  <cbc:IssueDate>2024-03-01</cbc:IssueDate>
  <cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>
  <cbc:Note>#ADU#Gutschrift wegen Rücksendung</cbc:Note>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cbc:BuyerReference>05315000-1234-56</cbc:BuyerReference>
  <cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>RE-2024-0007</cbc:ID>
    </cac:InvoiceDocumentReference></cac:BillingReference>
  <cac:AdditionalDocumentReference><cbc:ID>PRJ-77</cbc:ID>
    <cbc:DocumentTypeCode>50</cbc:DocumentTypeCode></cac:AdditionalDocumentReference>
  <cac:AdditionalDocumentReference>
    <cbc:ID>Lieferschein-1</cbc:ID>
    <cbc:DocumentDescription>Lieferschein</cbc:DocumentDescription>
    <cac:Attachment>
      <cbc:EmbeddedDocumentBinaryObject mimeCode="text/csv"
        filename="../../lieferschein.csv">{attachment}</cbc:EmbeddedDocumentBinaryObject>
      </cac:Attachment>
  </cac:AdditionalDocumentReference>
  <cac:AccountingSupplierParty><cac:Party>
    <cbc:EndpointID schemeID="EM">rechnung@buerobedarf.example</cbc:EndpointID>
    <cac:PartyName><cbc:Name>Bürobedarf Nord</cbc:Name></cac:PartyName>
    <cac:PostalAddress><cbc:StreetName>Hafenstraße 1</cbc:StreetName>
      <cbc:CityName>Kiel</cbc:CityName><cbc:PostalZone>24103</cbc:PostalZone><cac:Country>
      <cbc:IdentificationCode>DE</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
    <cac:PartyTaxScheme><cbc:CompanyID>DE123456789</cbc:CompanyID><cac:TaxScheme>
      <cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
    <cac:PartyLegalEntity><cbc:RegistrationName>Bürobedarf Nord GmbH</cbc:RegistrationName>
      </cac:PartyLegalEntity>
    <cac:Contact><cbc:Name>Frau Jensen</cbc:Name><cbc:Telephone>0431 1234</cbc:Telephone>
      <cbc:ElectronicMail>jensen@buerobedarf.example</cbc:ElectronicMail></cac:Contact>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party>
    <cbc:EndpointID schemeID="EM">rechnung@stadt.example</cbc:EndpointID>
    <cac:PostalAddress><cbc:StreetName>Rathausplatz 1</cbc:StreetName>
      <cbc:CityName>Musterstadt</cbc:CityName><cbc:PostalZone>12345</cbc:PostalZone><cac:Country>
      <cbc:IdentificationCode>DE</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
    <cac:PartyLegalEntity><cbc:RegistrationName>Stadt Musterstadt</cbc:RegistrationName>
      </cac:PartyLegalEntity>
  </cac:Party></cac:AccountingCustomerParty>
  <cac:PaymentMeans>
    <cbc:PaymentMeansCode>58</cbc:PaymentMeansCode>
    <cbc:PaymentDueDate>2024-03-15</cbc:PaymentDueDate>
    <cbc:PaymentID>GS-2024-0042</cbc:PaymentID>
    <cac:PayeeFinancialAccount><cbc:ID>DE02120300000000202051</cbc:ID>
      <cbc:Name>Stadtkasse</cbc:Name></cac:PayeeFinancialAccount>
  </cac:PaymentMeans>
  <cac:PaymentTerms><cbc:Note>Verrechnung mit der nächsten Rechnung.
#SKONTO#TAGE=10#PROZENT=3.00#BASISBETRAG=100.00#
</cbc:Note></cac:PaymentTerms>
  <cac:TaxTotal>
    <cbc:TaxAmount currencyID="EUR">19.00</cbc:TaxAmount>
    <cac:TaxSubtotal>
      <cbc:TaxableAmount currencyID="EUR">100.00</cbc:TaxableAmount>
      <cbc:TaxAmount currencyID="EUR">19.00</cbc:TaxAmount>
      <cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>19</cbc:Percent><cac:TaxScheme>
        <cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>
    </cac:TaxSubtotal>
  </cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="EUR">100.00</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="EUR">119.00</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="EUR">{payable}</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  <cac:CreditNoteLine>
    <cbc:ID>1</cbc:ID>
    <cbc:CreditedQuantity unitCode="C62">4</cbc:CreditedQuantity>
    <cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
    <cac:Item>
      <cbc:Name>Aktenordner A4, blau</cbc:Name>
      <cac:SellersItemIdentification><cbc:ID>AO-4711</cbc:ID></cac:SellersItemIdentification>
      <cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>19</cbc:Percent><cac:TaxScheme>
        <cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory>
    </cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="EUR">25.00</cbc:PriceAmount></cac:Price>
  </cac:CreditNoteLine>
</CreditNote>
"""
ATTACHMENT = b"Nr;Artikel\n1;Aktenordner\n" * 40


def credit_note(*, payable: str = "119.00", attachment: str | None = None) -> bytes:
    encoded = base64.b64encode(ATTACHMENT).decode() if attachment is None else attachment
    return CREDIT_NOTE.format(payable=payable, attachment=encoded).encode()


def test_ubl_credit_note() -> None:
    data = credit_note()
    invoice = parse_invoice(data)
    assert invoice.syntax == "ubl-creditnote" and invoice.is_credit_note
    assert (invoice.number, invoice.type_code) == ("GS-2024-0042", "381")
    assert invoice.seller.name == "Bürobedarf Nord GmbH"
    assert invoice.seller.trading_name == "Bürobedarf Nord"
    assert invoice.buyer.name == "Stadt Musterstadt"
    assert invoice.buyer_reference == "05315000-1234-56"
    assert invoice.preceding_invoice == "RE-2024-0007"
    assert invoice.project_reference == "PRJ-77"  # a credit note carries BT-11 as type 50
    assert invoice.totals.payable == Decimal("119.00")
    assert invoice.payment.due_date == date(2024, 3, 15)  # from PaymentMeans in a credit note
    assert invoice.payment.iban == "DE02120300000000202051"
    assert invoice.payment.skonto == (Skonto(10, Decimal("3.00"), Decimal("100.00")),)
    assert free_text(invoice.payment.text) == "Verrechnung mit der nächsten Rechnung."
    assert invoice.notes == ("Gutschrift wegen Rücksendung",)
    line = invoice.lines[0]
    assert (line.quantity, line.unit_code, line.net_price) == (4, "C62", Decimal("25.00"))
    assert [a.reference for a in invoice.attachments] == ["Lieferschein-1"]
    assert invoice.attachments[0].size == len(ATTACHMENT)
    filename, media_type, content = attachment_content(data, "Lieferschein-1")
    assert (filename, media_type, content) == ("lieferschein.csv", "text/csv", ATTACHMENT)


# -- hostile and broken input ----------------------------------------------------------------


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are matched in English; one test checks the German translation."""
    with translation.override("en"):
        yield


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&xxe;</Invoice>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<rsm:CrossIndustryInvoice
  xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
>&lol2;</rsm:CrossIndustryInvoice>"""


@pytest.mark.parametrize("data", [XXE, LAUGHS, b"\xef\xbb\xbf<!doctype x>" + XXE[22:]])
def test_doctype_is_refused_unread(data: bytes) -> None:
    with pytest.raises(InvoiceParseError, match="DOCTYPE"):
        parse_invoice(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7\n...", "PDF"),
        (b"Rechnung 4711, bitte zahlen", "not XML"),
        (b"<Invoice><unclosed></Invoice>", "not well-formed XML"),
        (b"<html><body>Invoice</body></html>", "not an e-invoice"),
        (CREDIT_NOTE.encode()[:2000], "not well-formed XML"),
    ],
)
def test_not_an_invoice(data: bytes, message: str) -> None:
    with pytest.raises(InvoiceParseError, match=message):
        parse_invoice(data)


def _without(data: bytes, tag: str) -> bytes:
    return re.sub(rf"<{tag}>.*?</{tag}>".encode(), b"", data, flags=re.DOTALL)


@pytest.mark.parametrize(
    ("tag", "term"),
    [
        ("cac:LegalMonetaryTotal", "BG-22"),
        ("cbc:ID", "BT-1"),
        ("cbc:IssueDate", "BT-2"),
        ("cac:AccountingSupplierParty", "BG-4"),
        ("cac:Item", "BT-153"),
    ],
)
def test_missing_mandatory_part(tag: str, term: str) -> None:
    with pytest.raises(InvoiceParseError, match=term):
        parse_invoice(_without(credit_note(), tag))


def test_missing_cii_totals() -> None:
    data = (CIUS / "01.05_minimal_test_uncefact.xml").read_bytes()
    tag = "ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    with pytest.raises(InvoiceParseError, match="BG-22"):
        parse_invoice(_without(data, tag))


@pytest.mark.parametrize("amount", ["12,50", "1e3", "NaN", "Infinity", "", "12.5.0", "€ 119"])
def test_non_numeric_amount(amount: str) -> None:
    with pytest.raises(InvoiceParseError, match="BT-115"):
        parse_invoice(credit_note(payable=amount))


def test_invalid_date() -> None:
    data = credit_note().replace(b"2024-03-01", b"2024-02-30")
    with pytest.raises(InvoiceParseError, match="BT-2 is not a valid date"):
        parse_invoice(data)


def test_error_message_is_translated() -> None:
    with translation.override("de"), pytest.raises(InvoiceParseError) as caught:
        parse_invoice(credit_note(payable="zwölf"))
    assert "keine Zahl" in caught.value.message


def test_huge_attachment_is_refused() -> None:
    """Ten million Base64 characters (7.5 MB) exceed what the hardened parser reads."""
    data = credit_note(attachment="QUFB" * 2_500_001)
    with pytest.raises(InvoiceParseError, match="too large"):
        parse_invoice(data)


def test_attachment_size_limit_and_encoding() -> None:
    data = credit_note()
    with pytest.raises(InvoiceParseError, match="larger than"):
        attachment_content(data, "Lieferschein-1", max_bytes=len(ATTACHMENT) - 1)
    assert attachment_content(data, "Lieferschein-1", max_bytes=len(ATTACHMENT))[2] == ATTACHMENT
    with pytest.raises(InvoiceParseError, match="not valid Base64"):
        attachment_content(credit_note(attachment="not*base64!"), "Lieferschein-1")
    with pytest.raises(InvoiceParseError, match="no embedded attachment"):
        attachment_content(data, "PRJ-77")


@given(st.binary(min_size=0, max_size=3000))
def test_decoded_size_matches_decoding(content: bytes) -> None:
    encoded = base64.encodebytes(content).decode()  # with line breaks, as many senders write
    assert decoded_size(encoded) == len(content)


# Hostile edits of a valid document: whatever is removed or garbled, the parser answers with an
# Invoice or an InvoiceParseError, never with another exception.
_TREE = etree.fromstring(credit_note())
_ELEMENT_COUNT = sum(1 for _ in _TREE.iter())


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    index=st.integers(min_value=1, max_value=_ELEMENT_COUNT - 1),
    action=st.sampled_from(["remove", "text"]),
    text=st.text(max_size=30),
)
def test_garbled_documents_fail_cleanly(index: int, action: str, text: str) -> None:
    tree = etree.fromstring(credit_note())
    element = list(tree.iter())[index]
    if action == "remove":
        element.getparent().remove(element)
    else:
        element.text = "".join(c for c in text if c.isprintable())
    data = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    try:
        result = parse_invoice(data)
    except InvoiceParseError as exc:
        assert exc.message
    else:
        assert isinstance(result, Invoice)


# -- the Skonto convention -------------------------------------------------------------------

_PERCENT = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False)
_BASE = st.one_of(
    st.none(), st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False)
)
_SKONTO = st.builds(Skonto, days=st.integers(0, 365), percent=_PERCENT, base_amount=_BASE)
_FREE_LINE = st.text(
    st.characters(blacklist_categories=["Cc", "Cs", "Zl", "Zp"]), max_size=40
).filter(lambda line: not parse_skonto(line))


@given(skonti=st.lists(_SKONTO, max_size=4), before=_FREE_LINE, after=_FREE_LINE)
def test_skonto_lines_round_trip(skonti: list[Skonto], before: str, after: str) -> None:
    text = "\n".join([before, *(skonto_line(s) for s in skonti), after]) + "\n"
    assert list(parse_skonto(text)) == skonti
    assert free_text(text) == f"{before}\n{after}".strip()


@given(st.text(max_size=300))
def test_skonto_parser_never_fails_nor_invents(text: str) -> None:
    for skonto in parse_skonto(text):
        assert skonto.days >= 0 and skonto.percent >= 0
    rest = free_text(text)
    assert not parse_skonto(rest)
    assert all(line in text for line in rest.splitlines())


def test_skonto_examples() -> None:
    text = "Zahlbar sofort.\n #SKONTO#TAGE=14#PROZENT=2.00# \n#SKONTO#TAGE=x#PROZENT=1#\n"
    assert parse_skonto(text) == (Skonto(14, Decimal("2.00")),)
    assert free_text(text) == "Zahlbar sofort.\n#SKONTO#TAGE=x#PROZENT=1#"
