"""What every fuzz target shares: Django with the test settings, the seed corpus, libFuzzer's
arguments, and the seeds themselves (built in code from our own fixtures, never read from
``../shared``).

A target calls :func:`setup_django` inside ``atheris.instrument_imports()`` (so the intake
modules that Django's app registry imports are instrumented too) and ends with
:func:`run`. Without arguments a target fuzzes until stopped, keeping its corpus in
``var/fuzz/<name>/corpus`` and writing crashes to ``var/fuzz/<name>/crashes/``; every
libFuzzer flag (``-runs=``, ``-max_total_time=``, ``-artifact_prefix=``, a corpus directory,
a crash file to replay) is passed through.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import os
import sys
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var" / "fuzz"


def setup_django() -> None:
    """Django with the test settings (translations, ``settings.AMTSFLUSS_*`` limits)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amtsfluss.settings.test")
    import django

    django.setup()


def run(name: str, test_one_input: Callable[[bytes], None], seeds: Iterable[bytes]) -> None:
    """Hand over to libFuzzer with our defaults for corpus and crash directory."""
    import atheris  # type: ignore[import-untyped]

    argv = list(sys.argv)
    positional = [arg for arg in argv[1:] if not arg.startswith("-")]
    if not positional:  # fuzzing with the default corpus directory
        corpus = VAR / name / "corpus"
        argv.append(str(corpus))
        positional = [str(corpus)]
    corpus_dir = Path(positional[0])
    if not corpus_dir.is_file():  # a file is a reproducer to replay: no seeds then
        write_seeds(corpus_dir, seeds)
    if not any(arg.startswith("-artifact_prefix=") for arg in argv):
        crashes = VAR / name / "crashes"
        crashes.mkdir(parents=True, exist_ok=True)
        argv.append(f"-artifact_prefix={crashes}/")
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()


def expect(condition: object, detail: object = "") -> None:
    """The targets' oracle: an ``assert`` that ``python -O`` cannot switch off."""
    if not condition:
        raise AssertionError(detail)


def write_seeds(corpus: Path, seeds: Iterable[bytes]) -> None:
    corpus.mkdir(parents=True, exist_ok=True)
    for seed in seeds:
        path = corpus / f"seed-{hashlib.sha1(seed, usedforsecurity=False).hexdigest()}"
        if not path.exists():
            path.write_bytes(seed)


# --- seeds: e-invoices ---------------------------------------------------------------------------


def ubl_invoice(*, skonto: bool = True, notes: tuple[str, ...] = ()) -> bytes:
    """A small valid XRechnung 3.0 UBL invoice from our own generator."""
    from amtsfluss.rechnung.services.xrechnung_ubl import (
        InvoiceSpec,
        Position,
        Seller,
        xrechnung_ubl,
    )

    seller = Seller(
        name="Bürobedarf Feder & Tinte GmbH",
        vat_id="DE123456789",
        email="rechnung@feder-tinte.example",
        street="Papierweg 4",
        postcode="12345",
        city="Musterstadt",
        contact="Frau Klee",
        phone="+49 30 1234567",
        iban="DE75512108001245126199",
        bic="MARKDEF1100",
    )
    spec = InvoiceSpec(
        number="RE-2026-0001",
        issue_date=date(2026, 3, 2),
        buyer_reference="05315000-20200-51",
        seller=seller,
        positions=(
            Position("Kopierpapier A4, 500 Blatt", Decimal("40"), Decimal("4.95")),
            Position("Wartung (Stunden)", Decimal("1.5"), Decimal("95.00"), "HUR"),
        ),
        due_date=date(2026, 4, 1) if skonto else None,
        skonto_days=14 if skonto else None,
        skonto_percent=Decimal("2") if skonto else None,
        notes=notes,
    )
    return xrechnung_ubl(spec)


_ATTACHMENT = """
  <cac:AdditionalDocumentReference>
    <cbc:ID>Lieferschein-1</cbc:ID>
    <cbc:DocumentDescription>Lieferschein</cbc:DocumentDescription>
    <cac:Attachment>
      <cbc:EmbeddedDocumentBinaryObject mimeCode="text/csv" filename="../lieferschein.csv"
        >TnI7QXJ0aWtlbAoxO0FrdGVub3JkbmVyCg==</cbc:EmbeddedDocumentBinaryObject>
    </cac:Attachment>
  </cac:AdditionalDocumentReference>
  <cac:AccountingSupplierParty>"""


def ubl_with_attachment() -> bytes:
    xml = ubl_invoice(notes=("#ADU#Lieferung vom 1. März",)).decode()
    return xml.replace("\n  <cac:AccountingSupplierParty>", _ATTACHMENT, 1).encode()


def ubl_credit_note() -> bytes:
    """The invoice as a UBL CreditNote (the element names that differ, renamed)."""
    xml = ubl_invoice(skonto=False).decode()
    for old, new in (
        ("xsd:Invoice-2", "xsd:CreditNote-2"),
        ("ubl:Invoice", "ubl:CreditNote"),
        ("InvoiceTypeCode>380", "CreditNoteTypeCode>381"),
        ("InvoiceTypeCode>", "CreditNoteTypeCode>"),
        ("cac:InvoiceLine", "cac:CreditNoteLine"),
        ("cbc:InvoicedQuantity", "cbc:CreditedQuantity"),
    ):
        xml = xml.replace(old, new)
    return xml.encode()


CII_INVOICE = """<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice
  xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
  xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
  xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
  xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100">
 <rsm:ExchangedDocumentContext>
  <ram:GuidelineSpecifiedDocumentContextParameter>
   <ram:ID>urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0</ram:ID>
  </ram:GuidelineSpecifiedDocumentContextParameter>
 </rsm:ExchangedDocumentContext>
 <rsm:ExchangedDocument>
  <ram:ID>CII-2026-7</ram:ID><ram:TypeCode>380</ram:TypeCode>
  <ram:IssueDateTime><udt:DateTimeString format="102">20260302</udt:DateTimeString>
  </ram:IssueDateTime>
  <ram:IncludedNote><ram:Content>Danke für Ihren Auftrag.</ram:Content></ram:IncludedNote>
 </rsm:ExchangedDocument>
 <rsm:SupplyChainTradeTransaction>
  <ram:IncludedSupplyChainTradeLineItem>
   <ram:AssociatedDocumentLineDocument><ram:LineID>1</ram:LineID>
   </ram:AssociatedDocumentLineDocument>
   <ram:SpecifiedTradeProduct><ram:Name>Aktenordner</ram:Name></ram:SpecifiedTradeProduct>
   <ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice>
    <ram:ChargeAmount>2.50</ram:ChargeAmount><ram:BasisQuantity>1</ram:BasisQuantity>
   </ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>
   <ram:SpecifiedLineTradeDelivery>
    <ram:BilledQuantity unitCode="H87">40</ram:BilledQuantity>
   </ram:SpecifiedLineTradeDelivery>
   <ram:SpecifiedLineTradeSettlement>
    <ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode>
     <ram:RateApplicablePercent>19</ram:RateApplicablePercent></ram:ApplicableTradeTax>
    <ram:SpecifiedTradeSettlementLineMonetarySummation>
     <ram:LineTotalAmount>100.00</ram:LineTotalAmount>
    </ram:SpecifiedTradeSettlementLineMonetarySummation>
   </ram:SpecifiedLineTradeSettlement>
   <ram:IncludedSubordinateTradeLineItem>
    <ram:SpecifiedReferencedProduct><ram:Name>Rücken</ram:Name>
     <ram:UnitQuantity unitCode="H87">2</ram:UnitQuantity></ram:SpecifiedReferencedProduct>
    <ram:SpecifiedSubordinateLineTradeAgreement><ram:NetPriceProductTradePrice>
     <ram:ChargeAmount>1.25</ram:ChargeAmount><ram:BasisQuantity>1</ram:BasisQuantity>
    </ram:NetPriceProductTradePrice></ram:SpecifiedSubordinateLineTradeAgreement>
   </ram:IncludedSubordinateTradeLineItem>
  </ram:IncludedSupplyChainTradeLineItem>
  <ram:IncludedSupplyChainTradeLineItem>
   <ram:AssociatedDocumentLineDocument><ram:LineID>2</ram:LineID>
    <ram:ParentLineID>1</ram:ParentLineID></ram:AssociatedDocumentLineDocument>
   <ram:SpecifiedTradeProduct><ram:Name>Etiketten</ram:Name></ram:SpecifiedTradeProduct>
   <ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice>
    <ram:ChargeAmount>0</ram:ChargeAmount></ram:NetPriceProductTradePrice>
   </ram:SpecifiedLineTradeAgreement>
   <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="H87">1</ram:BilledQuantity>
   </ram:SpecifiedLineTradeDelivery>
   <ram:SpecifiedLineTradeSettlement><ram:SpecifiedTradeSettlementLineMonetarySummation>
    <ram:LineTotalAmount>0</ram:LineTotalAmount>
   </ram:SpecifiedTradeSettlementLineMonetarySummation></ram:SpecifiedLineTradeSettlement>
  </ram:IncludedSupplyChainTradeLineItem>
  <ram:ApplicableHeaderTradeAgreement>
   <ram:BuyerReference>05315000-20200-51</ram:BuyerReference>
   <ram:SellerTradeParty><ram:Name>Bytewerk IT-Service KG</ram:Name>
    <ram:PostalTradeAddress><ram:PostcodeCode>12347</ram:PostcodeCode>
     <ram:CityName>Musterstadt</ram:CityName><ram:CountryID>DE</ram:CountryID>
    </ram:PostalTradeAddress>
    <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">DE811234566</ram:ID>
    </ram:SpecifiedTaxRegistration>
   </ram:SellerTradeParty>
   <ram:BuyerTradeParty><ram:Name>Stadt Musterstadt</ram:Name></ram:BuyerTradeParty>
   <ram:AdditionalReferencedDocument><ram:IssuerAssignedID>Anlage-1</ram:IssuerAssignedID>
    <ram:TypeCode>916</ram:TypeCode>
    <ram:AttachmentBinaryObject mimeCode="text/plain" filename="anlage.txt"
     >SGFsbG8K</ram:AttachmentBinaryObject>
   </ram:AdditionalReferencedDocument>
  </ram:ApplicableHeaderTradeAgreement>
  <ram:ApplicableHeaderTradeDelivery>
   <ram:ActualDeliverySupplyChainEvent><ram:OccurrenceDateTime>
    <udt:DateTimeString format="102">20260301</udt:DateTimeString>
   </ram:OccurrenceDateTime></ram:ActualDeliverySupplyChainEvent>
  </ram:ApplicableHeaderTradeDelivery>
  <ram:ApplicableHeaderTradeSettlement>
   <ram:PaymentReference>CII-2026-7</ram:PaymentReference>
   <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
   <ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>58</ram:TypeCode>
    <ram:PayeePartyCreditorFinancialAccount><ram:IBANID>DE02120300000000202051</ram:IBANID>
    </ram:PayeePartyCreditorFinancialAccount>
   </ram:SpecifiedTradeSettlementPaymentMeans>
   <ram:ApplicableTradeTax><ram:CalculatedAmount>19.00</ram:CalculatedAmount>
    <ram:TypeCode>VAT</ram:TypeCode><ram:BasisAmount>100.00</ram:BasisAmount>
    <ram:CategoryCode>S</ram:CategoryCode>
    <ram:RateApplicablePercent>19</ram:RateApplicablePercent></ram:ApplicableTradeTax>
   <ram:SpecifiedTradePaymentTerms>
    <ram:Description>#SKONTO#TAGE=14#PROZENT=2.00#
Zahlbar in 30 Tagen.</ram:Description>
    <ram:DueDateDateTime><udt:DateTimeString format="102">20260401</udt:DateTimeString>
    </ram:DueDateDateTime>
    <ram:ApplicableTradePaymentDiscountTerms>
     <ram:BasisPeriodMeasure unitCode="DAY">7</ram:BasisPeriodMeasure>
     <ram:CalculationPercent>3.00</ram:CalculationPercent>
    </ram:ApplicableTradePaymentDiscountTerms>
   </ram:SpecifiedTradePaymentTerms>
   <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    <ram:LineTotalAmount>100.00</ram:LineTotalAmount>
    <ram:TaxBasisTotalAmount>100.00</ram:TaxBasisTotalAmount>
    <ram:TaxTotalAmount currencyID="EUR">19.00</ram:TaxTotalAmount>
    <ram:GrandTotalAmount>119.00</ram:GrandTotalAmount>
    <ram:DuePayableAmount>119.00</ram:DuePayableAmount>
   </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
  </ram:ApplicableHeaderTradeSettlement>
 </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
"""


def cii_invoice() -> bytes:
    """A small CII invoice written for these seeds (sub lines, ParentLineID, discount terms)."""
    return CII_INVOICE.encode()


def invoice_seeds() -> list[bytes]:
    """Valid invoices in both syntaxes, and the prologs and encodings the intake must judge."""
    ubl = ubl_invoice()
    body = ubl.split(b"?>", 1)[1]
    return [
        ubl,
        ubl_with_attachment(),
        ubl_credit_note(),
        cii_invoice(),
        codecs.BOM_UTF8 + ubl,
        ubl.decode().replace("UTF-8", "UTF-16").encode("utf-16"),
        b'<?xml version="1.0" encoding="ISO-8859-1"?>' + body.decode().encode("latin-1", "replace"),
        b"<!-- Kommentar --><?pi x?>\n" + body.lstrip(),
        b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + body,
        b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>',
        b"<a>&amp;&#x41;<![CDATA[x]]></a>",
    ]


# --- seeds: mail ---------------------------------------------------------------------------------


def mail_seeds() -> list[bytes]:
    """Mails as senders write them: plain, HTML alternative, attachments, nesting, encodings."""
    from email.message import EmailMessage  # here: the mail target instruments ``email``

    plain = EmailMessage()
    plain["From"] = "Bürger <buerger@example.org>"
    plain["To"] = "poststelle@musterstadt.example"
    plain["Subject"] = "Antrag auf Akteneinsicht – Grüße"
    plain["Message-ID"] = "<seed-1@example.org>"
    plain["Date"] = "Mon, 02 Mar 2026 09:15:00 +0100"
    plain.set_content("Sehr geehrte Damen und Herren,\n\nanbei mein Antrag.\n")

    rich = EmailMessage()
    rich["From"] = "=?utf-8?q?J=C3=BCrgen?= <j@example.org>"
    rich["To"] = "rechnung@musterstadt.example"
    rich["Subject"] = "=?iso-8859-1?q?Rechnung_M=E4rz?="
    rich.set_content("Rechnung anbei.")
    rich.add_alternative("<p>Rechnung <b>anbei</b>.<script>x()</script></p>", subtype="html")
    rich.add_attachment(ubl_invoice(), maintype="application", subtype="xml", filename="re.xml")
    rich.add_attachment(
        b"%PDF-1.4\n%%EOF\n", maintype="application", subtype="pdf", filename="../../Rechnung.pdf"
    )

    nested = EmailMessage()
    nested["From"] = "weiterleitung@example.org"
    nested["Subject"] = "WG: Rechnung"
    nested.set_content("Weitergeleitet.")
    nested.add_attachment(plain)

    quoted = EmailMessage()
    quoted["Subject"] = "Umlaute"
    quoted.set_content("Grüße aus Köln – ÄÖÜ ß\n" * 3, cte="quoted-printable")
    quoted.add_attachment(
        "Zeile;Wert\n1;2\n".encode("cp1252"),
        maintype="text",
        subtype="csv",
        filename="Übersicht März.csv",
    )

    raw_rfc2231 = (
        b"From: a@example.org\r\nSubject: =?utf-8?b?w5xiZXI=?=\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        b"--b1\r\nContent-Type: text/plain; charset=unknown-8bit\r\n\r\nText \xe4\r\n"
        b"--b1\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Disposition: attachment; filename*=UTF-8''%C3%9Cbersicht.txt\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nSGFsbG8=\r\n--b1--\r\n"
    )
    return [m.as_bytes() for m in (plain, rich, nested, quoted)] + [raw_rfc2231]


# --- seeds: Aktenplan ----------------------------------------------------------------------------


def aktenplan_rows(count: int = 12) -> list[dict[str, str]]:
    """The first rows of the demo Aktenplan (``akte/demo.py``)."""
    from amtsfluss.akte.demo import aktenplan_bytes

    rows: list[dict[str, str]] = json.loads(aktenplan_bytes())[:count]
    return rows


def aktenplan_seeds() -> list[bytes]:
    from amtsfluss.akte.services.aktenplan_io import COLUMNS

    rows = aktenplan_rows()
    rows[1] = {**rows[1], "titel": "=SUMME(A1:A2)", "beschreibung": "Zeile 1\nZeile 2"}
    as_json = json.dumps(rows, ensure_ascii=False, indent=1).encode()
    seeds = [as_json, json.dumps(rows[:2]).encode(), b'[{"kennzeichen": "1", "titel": "x"}]']
    for delimiter, bom in ((";", True), (",", False)):
        out = io.StringIO(newline="")
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        writer.writerows([row.get(column, "") for column in COLUMNS] for row in rows)
        seeds.append((codecs.BOM_UTF8 if bom else b"") + out.getvalue().encode())
    seeds.append(b'titel;kennzeichen\n\'=1+2;1\n;\n"a;b";2.1\n')
    return seeds


# --- seeds: PDF ----------------------------------------------------------------------------------


def pdf_seeds() -> list[bytes]:
    """A plain PDF, ZUGFeRD-like PDFs with embedded invoice XML, an encrypted one."""
    from pypdf import PdfWriter

    from amtsfluss.core.text_pdf import text_pdf

    plain = text_pdf(["Rechnung RE-2026-0001", "Betrag: 119,00 EUR"])

    def with_files(files: dict[str, bytes], *, password: str | None = None) -> bytes:
        writer = PdfWriter(clone_from=io.BytesIO(plain))
        for name, content in files.items():
            writer.add_attachment(name, content)
        if password is not None:
            writer.encrypt(password, algorithm="RC4-128")
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    return [
        plain,
        with_files({"factur-x.xml": cii_invoice()}),
        with_files({"xrechnung.xml": ubl_invoice(), "anlage.txt": b"Hallo"}),
        with_files({"a.xml": b"<a/>", "b.xml": b"<b/>"}),
        with_files({"factur-x.xml": cii_invoice()}, password="geheim"),  # noqa: S106 - a seed, no secret
    ]
