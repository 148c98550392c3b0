"""Valid XRechnung invoices with any number of lines, made from one official test instance.

The first invoice line of a UBL or CII instance is copied ``lines`` times; the copies get the
line identifiers 1…n and every total and tax amount is recomputed (line net sum, tax basis,
tax per category rounded half-up to cents, tax-inclusive and payable amount), so the result is
valid when the base is. A base must have one VAT category only and no document-level
allowances, charges or prepaid amount (01.01a of the test suite is such a base); anything else
is refused rather than turned into an invalid invoice.

Used by ``bench/rechnung.py`` and ``tests/rechnung/test_lines.py``.
"""

from __future__ import annotations

import copy
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]

from amtsfluss.rechnung.validation.hardening import hardened_parser

NS = {
    "ubl": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}
CENT = Decimal("0.01")
#: the line counts of the benchmark (tests use some of them)
LINE_COUNTS = (1, 10, 100, 1_000, 5_000)


class SampleError(ValueError):
    """The base instance does not fit the generator (see the module docstring)."""


def _one(root: etree._Element, path: str) -> etree._Element:
    found = root.xpath(path, namespaces=NS)
    if len(found) != 1:
        raise SampleError(f"expected exactly one {path}, found {len(found)}")
    return found[0]


def _none(root: etree._Element, *paths: str) -> None:
    for path in paths:
        if root.xpath(path, namespaces=NS):
            raise SampleError(f"base has {path}; only bases without it are supported")


def _money(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def _tax(basis: Decimal, percent: Decimal) -> Decimal:
    return (basis * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def _multiply(root: etree._Element, line_path: str, lines: int) -> etree._Element:
    """Replace all lines by ``lines`` copies of the first one; return that first line."""
    originals = root.xpath(line_path, namespaces=NS)
    if not originals:
        raise SampleError(f"base has no {line_path}")
    template = originals[0]
    parent, position = template.getparent(), template.getparent().index(template)
    tail = originals[-1].tail
    for line in originals:
        parent.remove(line)
    for number in range(lines, 0, -1):
        line = copy.deepcopy(template)
        line.tail = tail
        parent.insert(position, line)
        _renumber(line, number)
    return template


def _renumber(line: etree._Element, number: int) -> None:
    ids = line.xpath("cbc:ID | ram:AssociatedDocumentLineDocument/ram:LineID", namespaces=NS)
    ids[0].text = str(number)


def ubl_invoice(base: bytes, lines: int) -> bytes:
    """A UBL invoice with ``lines`` copies of the base's first ``cac:InvoiceLine``."""
    root = etree.fromstring(base, hardened_parser())
    _none(
        root,
        "/ubl:Invoice/cac:AllowanceCharge",
        "/ubl:Invoice/cac:LegalMonetaryTotal/cbc:PrepaidAmount",
        "/ubl:Invoice/cac:LegalMonetaryTotal/cbc:PayableRoundingAmount",
    )
    template = _multiply(root, "/ubl:Invoice/cac:InvoiceLine", lines)
    _none(template, "cac:AllowanceCharge")
    net = Decimal(_one(template, "cbc:LineExtensionAmount").text) * lines
    category = _one(template, "cac:Item/cac:ClassifiedTaxCategory")
    percent = Decimal(_one(category, "cbc:Percent").text)
    tax = _tax(net, percent)
    total = _one(root, "/ubl:Invoice/cac:TaxTotal")
    subtotal = _one(total, "cac:TaxSubtotal")
    if _one(subtotal, "cac:TaxCategory/cbc:ID").text != _one(category, "cbc:ID").text:
        raise SampleError("the first line's VAT category is not the base's only one")
    _one(total, "cbc:TaxAmount").text = _money(tax)
    _one(subtotal, "cbc:TaxableAmount").text = _money(net)
    _one(subtotal, "cbc:TaxAmount").text = _money(tax)
    sums = _one(root, "/ubl:Invoice/cac:LegalMonetaryTotal")
    for name, value in (
        ("LineExtensionAmount", net),
        ("TaxExclusiveAmount", net),
        ("TaxInclusiveAmount", net + tax),
        ("PayableAmount", net + tax),
    ):
        _one(sums, f"cbc:{name}").text = _money(value)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


CII_SETTLEMENT = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/" + (
    "ram:ApplicableHeaderTradeSettlement"
)


def cii_invoice(base: bytes, lines: int) -> bytes:
    """A CII invoice with ``lines`` copies of the base's first trade line item."""
    root = etree.fromstring(base, hardened_parser())
    _none(
        root,
        f"{CII_SETTLEMENT}/ram:SpecifiedTradeAllowanceCharge",
        f"{CII_SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
        "ram:TotalPrepaidAmount",
        f"{CII_SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:RoundingAmount",
    )
    template = _multiply(
        root,
        "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/"
        "ram:IncludedSupplyChainTradeLineItem",
        lines,
    )
    settlement = _one(template, "ram:SpecifiedLineTradeSettlement")
    _none(settlement, "ram:SpecifiedTradeAllowanceCharge")
    amount = "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"
    net = Decimal(_one(settlement, amount).text) * lines
    line_tax = _one(settlement, "ram:ApplicableTradeTax")
    percent = Decimal(_one(line_tax, "ram:RateApplicablePercent").text)
    tax = _tax(net, percent)
    header = _one(root, CII_SETTLEMENT)
    header_tax = _one(header, "ram:ApplicableTradeTax")
    if _one(header_tax, "ram:CategoryCode").text != _one(line_tax, "ram:CategoryCode").text:
        raise SampleError("the first line's VAT category is not the base's only one")
    _one(header_tax, "ram:BasisAmount").text = _money(net)
    _one(header_tax, "ram:CalculatedAmount").text = _money(tax)
    sums = _one(header, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    for name, value in (
        ("LineTotalAmount", net),
        ("TaxBasisTotalAmount", net),
        ("TaxTotalAmount", tax),
        ("GrandTotalAmount", net + tax),
        ("DuePayableAmount", net + tax),
    ):
        _one(sums, f"ram:{name}").text = _money(value)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def invoice(base: Path, lines: int) -> bytes:
    """``ubl_invoice`` or ``cii_invoice`` by the base's root element."""
    data = base.read_bytes()
    if b"CrossIndustryInvoice" in data[:2000]:
        return cii_invoice(data, lines)
    return ubl_invoice(data, lines)
