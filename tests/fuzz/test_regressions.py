"""Inputs the fuzz targets (and their reviews) found; each stays here as a regression test.

An open bug is marked ``xfail(strict=True)``: the fix turns it into a passing test and the
marker must go. Time bounds are generous (the inputs took minutes to hours before the fix,
now milliseconds).
"""

from __future__ import annotations

import time

import pytest
from django.utils import translation

from amtsfluss.akte.services.aktenplan_io import _Problems, _read
from amtsfluss.rechnung.invoice.parse import InvoiceParseError, parse_invoice
from amtsfluss.rechnung.validation.validator import ValidationResult, prepare_document
from tests.fuzz.conftest import fuzz_support

CII = fuzz_support().cii_invoice().decode()


def _read_quickly(data: bytes, fmt: str) -> list[str]:
    problems = _Problems()
    started = time.monotonic()
    with translation.override("en"):
        _read(data, fmt, problems)  # type: ignore[arg-type]
    assert time.monotonic() - started < 10
    return problems.messages()


def test_a_csv_header_with_many_columns_is_checked_in_linear_time() -> None:
    # was quadratic (columns.count per column): 1 MB of header took about 20 minutes
    header = ",".join(["kennzeichen", "titel", *(f"c{i}" for i in range(150_000))])
    problems = _read_quickly(header.encode() + b"\n1,x\n", "csv")
    assert any("unknown column" in p for p in problems)


def test_json_full_of_escaped_quotes_is_scanned_in_linear_time() -> None:
    # was quadratic (the string pattern retried from every quote): 1 MB took about a day
    problems = _read_quickly(b'["' + b'\\"' * 500_000, "json")
    assert any("malformed" in p for p in problems)


def test_a_discount_period_of_a_million_digits_is_a_parse_error_at_once() -> None:
    # int() of a million-digit Decimal took a minute (quadratic), and the Skonto's days could
    # never be shown (str() of an int is limited to 4300 digits); numbers are now limited to
    # reading.MAX_NUMBER_CHARS characters
    data = CII.replace(
        '<ram:BasisPeriodMeasure unitCode="DAY">7</ram:BasisPeriodMeasure>',
        f'<ram:BasisPeriodMeasure unitCode="DAY">{"9" * 1_000_000}</ram:BasisPeriodMeasure>',
    )
    started = time.monotonic()
    with pytest.raises(InvoiceParseError, match="BT-20"):
        parse_invoice(data.encode())
    assert time.monotonic() - started < 10


def test_sub_line_amounts_beyond_the_decimal_range_are_a_parse_error() -> None:
    big = "9" * 500_001
    data = CII.replace(
        '<ram:UnitQuantity unitCode="H87">2</ram:UnitQuantity>',
        f'<ram:UnitQuantity unitCode="H87">{big}</ram:UnitQuantity>',
    )
    data = data.replace("<ram:ChargeAmount>1.25<", f"<ram:ChargeAmount>{big}<")
    with pytest.raises(InvoiceParseError):
        parse_invoice(data.encode())


@pytest.mark.parametrize("encoding", ["ARMSCII-8", "GEORGIAN-PS", "TCVN", "CP1133"])
def test_an_encoding_only_libxml2_knows_is_refused_not_raised(encoding: str) -> None:
    data = (
        f'<?xml version="1.0" encoding="{encoding}"?>'
        '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>'
    ).encode()
    prepared = prepare_document(data, "x.xml")
    assert isinstance(prepared, ValidationResult)
    assert prepared.verdict == "reject" and prepared.findings[0].rule == "AF-XML"
