"""Valid instances edited with lxml so that a known rule fires; each must be rejected."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lxml import etree  # type: ignore[import-untyped]

from amtsfluss.rechnung.validation import Validator
from tests.rechnung.conftest import TESTSUITE

BASE = TESTSUITE / "src" / "test" / "business-cases" / "standard"
UBL_FILE = BASE / "01.01a-INVOICE_ubl.xml"
CII_FILE = BASE / "01.01a-INVOICE_uncefact.xml"
NS = {
    "ubl": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}
Edit = Callable[[etree._Element], None]


def remove(xpath: str) -> Edit:
    def edit(root: etree._Element) -> None:
        nodes = root.xpath(xpath, namespaces=NS)
        assert nodes, xpath
        for node in nodes:
            node.getparent().remove(node)

    return edit


def set_text(xpath: str, value: str | Callable[[str], str]) -> Edit:
    def edit(root: etree._Element) -> None:
        nodes = root.xpath(xpath, namespaces=NS)
        assert nodes, xpath
        for node in nodes:
            node.text = value(node.text) if callable(value) else value

    return edit


def plus_one(text: str) -> str:
    return f"{float(text) + 1:.2f}"


UBL_CASES: list[tuple[str, Edit, str]] = [
    ("missing BuyerReference", remove("/ubl:Invoice/cbc:BuyerReference"), "BR-DE-15"),
    (
        "wrong totals",
        set_text("/ubl:Invoice/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", plus_one),
        "BR-CO-15",
    ),
    (
        "wrong tax category",
        set_text("//cac:ClassifiedTaxCategory/cbc:ID", "XX"),
        "BR-CL-18",
    ),
    ("unknown currency", set_text("/ubl:Invoice/cbc:DocumentCurrencyCode", "XXY"), "BR-CL-04"),
    (
        "XRechnung: seller contact missing",
        remove("/ubl:Invoice/cac:AccountingSupplierParty/cac:Party/cac:Contact"),
        "BR-DE-2",
    ),
]
AGREEMENT = (
    "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
)
SETTLEMENT = (
    "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
)
CII_CASES: list[tuple[str, Edit, str]] = [
    ("missing BuyerReference", remove(f"{AGREEMENT}/ram:BuyerReference"), "BR-DE-15"),
    (
        "wrong totals",
        set_text(
            f"{SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount",
            plus_one,
        ),
        "BR-CO-15",
    ),
    (
        "wrong tax category",
        set_text(
            "//ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode", "XX"
        ),
        "BR-CL-18",
    ),
    ("unknown currency", set_text(f"{SETTLEMENT}/ram:InvoiceCurrencyCode", "XXY"), "BR-CL-04"),
    (
        "XRechnung: seller contact missing",
        remove(f"{AGREEMENT}/ram:SellerTradeParty/ram:DefinedTradeContact"),
        "BR-DE-2",
    ),
]


def edited(path: object, edit: Edit) -> bytes:
    tree = etree.parse(str(path))
    edit(tree.getroot())
    return bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))


@pytest.mark.parametrize(
    ("source", "edit", "rule"),
    [(UBL_FILE, e, r) for _, e, r in UBL_CASES] + [(CII_FILE, e, r) for _, e, r in CII_CASES],
    ids=[f"ubl-{n}" for n, _, _ in UBL_CASES] + [f"cii-{n}" for n, _, _ in CII_CASES],
)
def test_rule_violation_rejected(
    validator: Validator, source: object, edit: Edit, rule: str
) -> None:
    result = validator.validate_bytes(edited(source, edit), name="edited.xml")
    assert result.verdict == "reject"
    errors = {f.rule for f in result.findings if f.level == "error"}
    assert rule in errors, result.findings


@pytest.mark.parametrize("source", [UBL_FILE, CII_FILE], ids=["ubl", "cii"])
def test_unchanged_base_accepted(validator: Validator, source: object) -> None:
    assert validator.validate_bytes(edited(source, lambda root: None)).verdict == "accept"


def test_unknown_customization_id_rejected(validator: Validator) -> None:
    data = edited(UBL_FILE, set_text("/ubl:Invoice/cbc:CustomizationID", "urn:example:unknown"))
    result = validator.validate_bytes(data)
    assert result.verdict == "reject"
    assert result.scenario is None
    assert [f.rule for f in result.findings] == ["AF-SCENARIO"]
    assert "urn:example:unknown" in result.findings[0].message


def test_schema_violation_rejected(validator: Validator) -> None:
    def add_unknown(root: etree._Element) -> None:
        etree.SubElement(root, "{urn:example}Unknown")

    result = validator.validate_bytes(edited(UBL_FILE, add_unknown))
    assert result.verdict == "reject"
    assert "XSD" in {f.rule for f in result.findings}


def test_other_xml_and_pdf_rejected(validator: Validator) -> None:
    other = validator.validate_bytes(b"<?xml version='1.0'?><note>hi</note>")
    assert other.verdict == "reject" and other.findings[0].rule == "AF-SYNTAX"
    broken = validator.validate_bytes(b"<Invoice><unclosed></Invoice>")
    assert broken.verdict == "reject" and broken.findings[0].rule == "AF-XML"
    pdf = validator.validate_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    assert pdf.verdict == "reject" and pdf.findings[0].rule == "AF-PDF"
    assert "PDF" in pdf.findings[0].message  # a truncated PDF: unreadable (see test_pdf*)
