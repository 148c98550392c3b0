"""A small, valid XRechnung 3.0 UBL invoice built from a few values (demo data and tests).

Standard rate (S, 19 %) lines only, SEPA credit transfer (code 58), optional due date and Skonto
in the XRechnung convention of BT-20. Written from the EN 16931 / XRechnung element order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape

XRECHNUNG_30 = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
PEPPOL_BILLING = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Position:
    name: str
    quantity: Decimal
    unit_price: Decimal
    unit_code: str = "H87"  # piece

    @property
    def net(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class Seller:
    name: str
    vat_id: str
    email: str
    street: str
    postcode: str
    city: str
    contact: str
    phone: str
    iban: str
    bic: str = ""


@dataclass(frozen=True)
class InvoiceSpec:
    number: str
    issue_date: date
    buyer_reference: str
    seller: Seller
    positions: tuple[Position, ...]
    buyer_name: str = "Stadt Musterstadt"
    buyer_street: str = "Rathausplatz 1"
    buyer_postcode: str = "12345"
    buyer_city: str = "Musterstadt"
    due_date: date | None = None
    delivery_date: date | None = None  # BT-72; default: the issue date
    skonto_days: int | None = None
    skonto_percent: Decimal | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def net(self) -> Decimal:
        return sum((p.net for p in self.positions), Decimal("0.00"))

    @property
    def tax(self) -> Decimal:
        return (self.net * Decimal("0.19")).quantize(CENT, ROUND_HALF_UP)

    @property
    def gross(self) -> Decimal:
        return self.net + self.tax


def _t(value: object) -> str:
    return escape(str(value))


def _payment_terms(spec: InvoiceSpec) -> str:
    lines = []
    if spec.skonto_days is not None and spec.skonto_percent is not None:
        lines.append(f"#SKONTO#TAGE={spec.skonto_days}#PROZENT={spec.skonto_percent:.2f}#")
    lines.append("Zahlbar ohne Abzug bis zum Fälligkeitsdatum.")
    return "\n".join(lines) + "\n"


def _line(number: int, position: Position) -> str:
    return f"""
  <cac:InvoiceLine>
    <cbc:ID>{number}</cbc:ID>
    <cbc:InvoicedQuantity unitCode="{_t(position.unit_code)}"
      >{position.quantity}</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="EUR">{position.net}</cbc:LineExtensionAmount>
    <cac:Item>
      <cbc:Name>{_t(position.name)}</cbc:Name>
      <cac:ClassifiedTaxCategory>
        <cbc:ID>S</cbc:ID>
        <cbc:Percent>19</cbc:Percent>
        <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>
      </cac:ClassifiedTaxCategory>
    </cac:Item>
    <cac:Price>
      <cbc:PriceAmount currencyID="EUR">{position.unit_price}</cbc:PriceAmount>
    </cac:Price>
  </cac:InvoiceLine>"""


def xrechnung_ubl(spec: InvoiceSpec) -> bytes:
    """The invoice as XRechnung 3.0 UBL (UTF-8 bytes)."""
    s = spec.seller
    due = f"\n  <cbc:DueDate>{spec.due_date.isoformat()}</cbc:DueDate>" if spec.due_date else ""
    notes = "".join(f"\n  <cbc:Note>{_t(note)}</cbc:Note>" for note in spec.notes)
    bic = (
        f"\n      <cac:FinancialInstitutionBranch><cbc:ID>{_t(s.bic)}</cbc:ID>"
        "</cac:FinancialInstitutionBranch>"
        if s.bic
        else ""
    )
    delivered = spec.delivery_date or spec.issue_date
    lines = "".join(_line(n, p) for n, p in enumerate(spec.positions, 1))
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<ubl:Invoice xmlns:ubl="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
    xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
    xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>{XRECHNUNG_30}</cbc:CustomizationID>
  <cbc:ProfileID>{PEPPOL_BILLING}</cbc:ProfileID>
  <cbc:ID>{_t(spec.number)}</cbc:ID>
  <cbc:IssueDate>{spec.issue_date.isoformat()}</cbc:IssueDate>{due}
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>{notes}
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cbc:BuyerReference>{_t(spec.buyer_reference)}</cbc:BuyerReference>
  <cac:AccountingSupplierParty>
    <cac:Party>
      <cbc:EndpointID schemeID="EM">{_t(s.email)}</cbc:EndpointID>
      <cac:PostalAddress>
        <cbc:StreetName>{_t(s.street)}</cbc:StreetName>
        <cbc:CityName>{_t(s.city)}</cbc:CityName>
        <cbc:PostalZone>{_t(s.postcode)}</cbc:PostalZone>
        <cac:Country><cbc:IdentificationCode>DE</cbc:IdentificationCode></cac:Country>
      </cac:PostalAddress>
      <cac:PartyTaxScheme>
        <cbc:CompanyID>{_t(s.vat_id)}</cbc:CompanyID>
        <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>
      </cac:PartyTaxScheme>
      <cac:PartyLegalEntity>
        <cbc:RegistrationName>{_t(s.name)}</cbc:RegistrationName>
      </cac:PartyLegalEntity>
      <cac:Contact>
        <cbc:Name>{_t(s.contact)}</cbc:Name>
        <cbc:Telephone>{_t(s.phone)}</cbc:Telephone>
        <cbc:ElectronicMail>{_t(s.email)}</cbc:ElectronicMail>
      </cac:Contact>
    </cac:Party>
  </cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty>
    <cac:Party>
      <cbc:EndpointID schemeID="0204">{_t(spec.buyer_reference)}</cbc:EndpointID>
      <cac:PostalAddress>
        <cbc:StreetName>{_t(spec.buyer_street)}</cbc:StreetName>
        <cbc:CityName>{_t(spec.buyer_city)}</cbc:CityName>
        <cbc:PostalZone>{_t(spec.buyer_postcode)}</cbc:PostalZone>
        <cac:Country><cbc:IdentificationCode>DE</cbc:IdentificationCode></cac:Country>
      </cac:PostalAddress>
      <cac:PartyLegalEntity>
        <cbc:RegistrationName>{_t(spec.buyer_name)}</cbc:RegistrationName>
      </cac:PartyLegalEntity>
    </cac:Party>
  </cac:AccountingCustomerParty>
  <cac:Delivery>
    <cbc:ActualDeliveryDate>{delivered.isoformat()}</cbc:ActualDeliveryDate>
  </cac:Delivery>
  <cac:PaymentMeans>
    <cbc:PaymentMeansCode>58</cbc:PaymentMeansCode>
    <cbc:PaymentID>{_t(spec.number)}</cbc:PaymentID>
    <cac:PayeeFinancialAccount>
      <cbc:ID>{_t(s.iban)}</cbc:ID>
      <cbc:Name>{_t(s.name)}</cbc:Name>{bic}
    </cac:PayeeFinancialAccount>
  </cac:PaymentMeans>
  <cac:PaymentTerms>
    <cbc:Note>{_t(_payment_terms(spec))}</cbc:Note>
  </cac:PaymentTerms>
  <cac:TaxTotal>
    <cbc:TaxAmount currencyID="EUR">{spec.tax}</cbc:TaxAmount>
    <cac:TaxSubtotal>
      <cbc:TaxableAmount currencyID="EUR">{spec.net}</cbc:TaxableAmount>
      <cbc:TaxAmount currencyID="EUR">{spec.tax}</cbc:TaxAmount>
      <cac:TaxCategory>
        <cbc:ID>S</cbc:ID>
        <cbc:Percent>19</cbc:Percent>
        <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>
      </cac:TaxCategory>
    </cac:TaxSubtotal>
  </cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="EUR">{spec.net}</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="EUR">{spec.net}</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="EUR">{spec.gross}</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="EUR">{spec.gross}</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>{lines}
</ubl:Invoice>
"""
    return xml.encode("utf-8")
