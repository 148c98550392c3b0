"""Property-based tests (hypothesis) for the intake parsers the fuzz targets cover.

Not repeated here: the Skonto round trip and the element-level garbling of an invoice
(``tests/rechnung/test_parse.py``), the Aktenplan export/import round trip through the
database (``tests/akte/test_aktenplan_io.py``). These add structured inputs the byte-level
fuzzer rarely builds (prologs from parts, re-encoded invoices, mails from parts, Aktenplan files
with any text in their cells) and arbitrary bytes for each entry point.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import unicodedata
from datetime import date
from decimal import Decimal
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree  # type: ignore[import-untyped]

from amtsfluss.akte.services.aktenplan_io import COLUMNS, _defuse, _Problems, _read
from amtsfluss.core.intake.handlers import Refused
from amtsfluss.core.intake.items import Limits
from amtsfluss.core.intake.mailparse import ParsedMail, parse_mail
from amtsfluss.rechnung.invoice.model import Invoice
from amtsfluss.rechnung.invoice.parse import InvoiceParseError, parse_invoice
from amtsfluss.rechnung.services.xrechnung_ubl import InvoiceSpec, Position, Seller, xrechnung_ubl
from amtsfluss.rechnung.validation import pdf
from amtsfluss.rechnung.validation.hardening import hardened_parser, prolog_problem
from amtsfluss.rechnung.validation.validator import (
    PreparedDocument,
    ValidationResult,
    prepare_document,
)

SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SELLER = Seller(
    name="Bürobedarf Feder & Tinte GmbH",
    vat_id="DE123456789",
    email="rechnung@feder-tinte.example",
    street="Papierweg 4",
    postcode="12345",
    city="Musterstadt",
    contact="Frau Klee",
    phone="+49 30 1234567",
    iban="DE75512108001245126199",
)
INVOICE = xrechnung_ubl(
    InvoiceSpec(
        number="RE-2026-0001",
        issue_date=date(2026, 3, 2),
        buyer_reference="05315000-20200-51",
        seller=SELLER,
        positions=(Position("Kopierpapier A4", Decimal("40"), Decimal("4.95")),),
        due_date=date(2026, 4, 1),
        skonto_days=14,
        skonto_percent=Decimal("2"),
    )
)
INVOICE_BODY = INVOICE.split(b"?>", 1)[1].lstrip()


# -- the prolog scan and the validator's XML intake -----------------------------------------------

_PROLOG_PART = st.sampled_from(
    [
        "",
        " ",
        "\n",
        "\t\r\n",
        '<?xml version="1.0"?>',
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<?pi data?>",
        "<?pi ?>?>",
        "<!-- Kommentar -->",
        "<!-- <!DOCTYPE x> -->",
        "<!---->",
        "<!DOCTYPE x>",
        "<!doctype x []>",
        '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
        "<!ENTITY e 'x'>",
        "<![CDATA[x]]>",
        "<!",
        "<?",
        "<!--",
        "\ufeff",
    ]
)
_ENCODING = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])


@given(st.binary(max_size=2000))
def test_prolog_scan_answers_any_bytes(data: bytes) -> None:
    problem = prolog_problem(data)
    assert problem is None or (isinstance(problem, str) and problem)


@SLOW
@given(parts=st.lists(_PROLOG_PART, max_size=6), encoding=_ENCODING)
def test_what_passes_the_prolog_scan_has_no_doctype(parts: list[str], encoding: str) -> None:
    data = ("".join(parts) + "<root>&amp;</root>").encode(encoding)
    if prolog_problem(data) is not None:
        return
    try:
        root = etree.fromstring(data, hardened_parser())
    except etree.XMLSyntaxError:
        return
    info = root.getroottree().docinfo
    assert not info.doctype and info.internalDTD is None


@SLOW
@given(st.binary(max_size=2000).filter(lambda data: not pdf.is_pdf(data)))
def test_prepare_document_answers_any_bytes(data: bytes) -> None:
    outcome = prepare_document(data, "x.xml")
    if isinstance(outcome, ValidationResult):
        assert outcome.findings and not outcome.accepted
    else:
        assert isinstance(outcome, PreparedDocument)


@SLOW
@given(encoding=_ENCODING, comment=st.text(max_size=30))
def test_a_valid_invoice_is_prepared_in_any_unicode_encoding(encoding: str, comment: str) -> None:
    text = f'<?xml version="1.0" encoding="{encoding.removesuffix("-sig").upper()}"?>'
    text += f"<!--{_xml_chars(comment).replace('-', '')}-->" + INVOICE_BODY.decode()
    outcome = prepare_document(text.encode(encoding), "x.xml")
    assert isinstance(outcome, PreparedDocument), outcome
    assert outcome.result.syntax == "ubl-invoice"
    assert "RE-2026-0001" in outcome.text


def _xml_chars(text: str) -> str:
    return "".join(c for c in text if c in "\t\n\r" or (" " <= c <= "\ud7ff" or c >= "\ue000"))


# -- reading an invoice ---------------------------------------------------------------------------


@SLOW
@given(st.binary(max_size=2000))
def test_parse_invoice_answers_any_bytes(data: bytes) -> None:
    try:
        assert isinstance(parse_invoice(data), Invoice)
    except InvoiceParseError as exc:
        assert exc.message


@SLOW
@given(
    start=st.integers(0, len(INVOICE)),
    end=st.integers(0, len(INVOICE)),
    insert=st.binary(max_size=20),
)
def test_a_cut_or_spliced_invoice_fails_cleanly(start: int, end: int, insert: bytes) -> None:
    start, end = sorted((start, end))
    data = INVOICE[:start] + insert + INVOICE[end:]
    try:
        assert isinstance(parse_invoice(data), Invoice)
    except InvoiceParseError as exc:
        assert exc.message


# -- mail -----------------------------------------------------------------------------------------

LIMITS = Limits(max_attachment_bytes=64 * 1024, max_file_bytes=64 * 1024, max_parts=50)
_HIDDEN = {"Cc", "Cf", "Cs", "Co"}
_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)


def _visible(value: str) -> bool:
    return not any(unicodedata.category(c) in _HIDDEN for c in value)


@SLOW
@given(st.binary(max_size=3000))
def test_parse_mail_answers_any_bytes(data: bytes) -> None:
    try:
        assert isinstance(parse_mail(data, LIMITS), ParsedMail)
    except Refused as exc:
        assert exc.reason


@SLOW
@given(
    subject=_TEXT,
    sender=_TEXT,
    body=_TEXT,
    files=st.lists(st.tuples(_TEXT, st.binary(max_size=200)), max_size=4),
)
def test_a_mail_from_any_parts_keeps_its_files_and_loses_what_is_unsafe(
    subject: str, sender: str, body: str, files: list[tuple[str, bytes]]
) -> None:
    raw = _mail(subject, sender, body, files)
    assume(raw is not None)
    assert raw is not None
    parsed = parse_mail(raw, LIMITS)
    assert [a.data for a in parsed.attachments] == [content for _, content in files]
    names = [a.filename for a in parsed.attachments]
    assert len({n.lower() for n in names}) == len(names)
    for name in names:
        assert name and "/" not in name and "\\" not in name and _visible(name), name
    for value in parsed.headers.values():
        assert len(value) <= 998 and "\n" not in value and _visible(value), value


def _mail(subject: str, sender: str, body: str, files: list[tuple[str, bytes]]) -> bytes | None:
    """The mail as the stdlib writes it; None where it cannot write it faithfully."""
    message = EmailMessage()
    try:
        message["Subject"] = " ".join(subject.splitlines())
        message["From"] = " ".join(f"{sender!r} <a@example.org>".splitlines())
        message.set_content(body or "-")
        for name, content in files:
            message.add_attachment(
                content, maintype="application", subtype="octet-stream", filename=name
            )
        raw = message.as_bytes()
    except (ValueError, TypeError, IndexError, LookupError):
        return None
    # The stdlib sometimes folds a header into a line that ends the header block (a
    # continuation without leading space); such a mail is not what was built: skip it.
    again = BytesParser(policy=policy.default).parsebytes(raw)
    attached = list(again.iter_attachments()) if isinstance(again, EmailMessage) else []
    return raw if len(attached) == len(files) else None


# -- Aktenplan files, read without a database -----------------------------------------------------

_CELL = st.text(st.characters(exclude_categories=["Cs"]), max_size=20)
_ROW = st.fixed_dictionaries({column: _CELL for column in COLUMNS}).filter(
    lambda row: any(value.strip() for value in row.values())
)


@given(st.binary(max_size=3000), st.sampled_from(["csv", "json"]))
def test_aktenplan_reading_answers_any_bytes(data: bytes, fmt: str) -> None:
    problems = _Problems()
    rows = _read(data, fmt, problems)  # type: ignore[arg-type]
    assert rows or problems
    assert all(isinstance(message, str) for message in problems.messages())


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(_ROW, min_size=1, max_size=5),
    delimiter=st.sampled_from(";,"),
    bom=st.booleans(),
)
def test_any_cell_text_survives_csv(rows: list[dict[str, str]], delimiter: str, bom: bool) -> None:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([_defuse(row[column]) for column in COLUMNS] for row in rows)
    data = (codecs.BOM_UTF8 if bom else b"") + out.getvalue().encode()
    problems = _Problems()
    read = _read(data, "csv", problems)
    assert not problems, problems.messages()
    assert [row.values for row in read] == rows


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(_ROW, min_size=1, max_size=5), indent=st.sampled_from([None, 1, 2]))
def test_any_cell_text_survives_json(rows: list[dict[str, str]], indent: int | None) -> None:
    data = json.dumps(rows, ensure_ascii=False, indent=indent).encode()
    problems = _Problems()
    read = _read(data, "json", problems)
    assert not problems, problems.messages()
    assert [row.values for row in read] == rows
