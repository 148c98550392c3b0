"""Generated invoices with many lines (bench/rechnung_samples.py) are valid XRechnung."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from bench.rechnung_samples import NS, SampleError, invoice, ubl_invoice
from lxml import etree  # type: ignore[import-untyped]

from amtsfluss.rechnung.validation import Validator
from tests.rechnung.test_negative import CII_FILE, UBL_FILE


@pytest.mark.parametrize("lines", [10, 1_000])
@pytest.mark.parametrize("base", [UBL_FILE, CII_FILE], ids=["ubl", "cii"])
def test_generated_invoice_accepted(validator: Validator, base: Path, lines: int) -> None:
    data = invoice(base, lines)
    root = etree.fromstring(data)
    items = root.xpath("//cac:InvoiceLine | //ram:IncludedSupplyChainTradeLineItem", namespaces=NS)
    assert len(items) == lines
    result = validator.validate_bytes(data, name=f"{lines}.xml")
    assert result.verdict == "accept", [f for f in result.findings if f.level == "error"]
    assert not [f for f in result.findings if f.level == "error"]


def test_totals_are_recomputed() -> None:
    root = etree.fromstring(invoice(UBL_FILE, 10))
    line = Decimal(
        root.xpath("string(//cac:InvoiceLine[1]/cbc:LineExtensionAmount)", namespaces=NS)
    )
    net = Decimal(
        root.xpath("string(//cac:LegalMonetaryTotal/cbc:LineExtensionAmount)", namespaces=NS)
    )
    assert net == line * 10
    ids = root.xpath("//cac:InvoiceLine/cbc:ID/text()", namespaces=NS)
    assert ids == [str(n) for n in range(1, 11)]


def test_unsupported_base_refused() -> None:
    root = etree.parse(str(UBL_FILE)).getroot()
    etree.SubElement(
        root.find("cac:LegalMonetaryTotal", NS), f"{{{NS['cbc']}}}PrepaidAmount"
    ).text = "1.00"
    with pytest.raises(SampleError):
        ubl_invoice(etree.tostring(root), 2)
