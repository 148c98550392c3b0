"""UBL 2.1 Invoice and CreditNote → EN 16931 model (mapping of the EN 16931-3-2 binding)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from amtsfluss.rechnung.invoice.embedded import decoded_size
from amtsfluss.rechnung.invoice.model import (
    Address,
    AllowanceCharge,
    Attachment,
    Invoice,
    Line,
    Party,
    PaymentTerms,
    TaxBreakdown,
    ThirdPartyPayment,
    Totals,
)
from amtsfluss.rechnung.invoice.reading import Node, missing, parse_iso_date
from amtsfluss.rechnung.invoice.skonto import parse_skonto

UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDITNOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NAMESPACES = {"cac": CAC, "cbc": CBC}

# Document references that are not attachments: BT-18 invoiced object (130), BT-11 project
# reference in a credit note (50).
_NOT_ATTACHMENTS = {"130", "50"}
_NOTE_SUBJECT = re.compile(r"^#[A-Z]{3}#")  # XRechnung's BT-21 prefix in BT-22


class _Kind:
    """Element names that differ between Invoice and CreditNote."""

    def __init__(self, credit_note: bool) -> None:
        self.syntax = "ubl-creditnote" if credit_note else "ubl-invoice"
        self.type_code = "cbc:CreditNoteTypeCode" if credit_note else "cbc:InvoiceTypeCode"
        self.line = "cac:CreditNoteLine" if credit_note else "cac:InvoiceLine"
        self.sub_line = "cac:SubCreditNoteLine" if credit_note else "cac:SubInvoiceLine"
        self.quantity = "cbc:CreditedQuantity" if credit_note else "cbc:InvoicedQuantity"


def _date(node: Node, path: str, term: str) -> date | None:
    value = node.text(path)
    return parse_iso_date(value, term, path) if value else None


def _address(node: Node | None) -> Address:
    if node is None:
        return Address()
    return Address(
        street=node.text("cbc:StreetName"),
        additional=node.text("cbc:AdditionalStreetName"),
        postcode=node.text("cbc:PostalZone"),
        city=node.text("cbc:CityName"),
        country=node.text("cac:Country/cbc:IdentificationCode"),
    )


def _tax_scheme_ids(party: Node, vat: bool) -> list[str]:
    ids = []
    for scheme in party.findall("cac:PartyTaxScheme"):
        is_vat = scheme.text("cac:TaxScheme/cbc:ID").upper() == "VAT"
        if is_vat == vat and scheme.text("cbc:CompanyID"):
            ids.append(scheme.text("cbc:CompanyID"))
    return ids


def _party(party: Node, term: str) -> Party:
    trading = party.text("cac:PartyName/cbc:Name")
    name = party.text("cac:PartyLegalEntity/cbc:RegistrationName") or trading
    if not name:
        name = party.required_text("cac:PartyLegalEntity/cbc:RegistrationName", term)
    identifiers = [
        n.value()
        for n in party.findall("cac:PartyIdentification/cbc:ID")
        if n.value() and n.attr("schemeID") != "SEPA"  # BT-90 creditor id, not BT-29
    ]
    return Party(
        name=name,
        trading_name=trading if trading != name else "",
        identifier=(identifiers or [party.text("cac:PartyLegalEntity/cbc:CompanyID")])[0],
        vat_id=next(iter(_tax_scheme_ids(party, vat=True)), ""),
        tax_number=next(iter(_tax_scheme_ids(party, vat=False)), ""),
        electronic_address=party.text("cbc:EndpointID"),
        address=_address(party.find("cac:PostalAddress")),
        contact_name=party.text("cac:Contact/cbc:Name"),
        contact_phone=party.text("cac:Contact/cbc:Telephone"),
        contact_email=party.text("cac:Contact/cbc:ElectronicMail"),
    )


def _optional_party(root: Node, path: str, term: str) -> Party | None:
    node = root.find(path)
    if node is None:
        return None
    if not (
        node.text("cac:PartyName/cbc:Name")
        or node.text("cac:PartyLegalEntity/cbc:RegistrationName")
    ):
        return None
    return _party(node, term)


def _allowance_charge(node: Node, term: str) -> AllowanceCharge:
    return AllowanceCharge(
        is_charge=node.text("cbc:ChargeIndicator").lower() == "true",
        amount=node.amount("cbc:Amount", term),
        reason=node.text("cbc:AllowanceChargeReason") or node.text("cbc:AllowanceChargeReasonCode"),
        tax_category=node.text("cac:TaxCategory/cbc:ID"),
        tax_rate=node.optional_amount("cac:TaxCategory/cbc:Percent", "BT-96/BT-103"),
    )


def _line(node: Node, kind: _Kind, *, sub_line: bool = False) -> Line:
    """An invoice line; a sub line (XRechnung extension) may lack quantity and price."""
    quantity = node.find(kind.quantity)
    has_quantity = quantity is not None or not sub_line
    has_price = node.find("cac:Price/cbc:PriceAmount") is not None or not sub_line
    return Line(
        line_id=node.required_text("cbc:ID", "BT-126"),
        name=node.required_text("cac:Item/cbc:Name", "BT-153"),
        quantity=node.amount(kind.quantity, "BT-129") if has_quantity else Decimal(0),
        unit_code=quantity.attr("unitCode") if quantity is not None else "",
        net_price=node.amount("cac:Price/cbc:PriceAmount", "BT-146") if has_price else Decimal(0),
        net_amount=node.amount("cbc:LineExtensionAmount", "BT-131"),
        tax_category=node.text("cac:Item/cac:ClassifiedTaxCategory/cbc:ID"),
        tax_rate=node.optional_amount("cac:Item/cac:ClassifiedTaxCategory/cbc:Percent", "BT-152"),
        description=node.text("cac:Item/cbc:Description"),
        seller_item_id=node.text("cac:Item/cac:SellersItemIdentification/cbc:ID"),
        note=node.text("cbc:Note"),
        period_start=_date(node, "cac:InvoicePeriod/cbc:StartDate", "BT-134"),
        period_end=_date(node, "cac:InvoicePeriod/cbc:EndDate", "BT-135"),
        sub_lines=tuple(_line(sub, kind, sub_line=True) for sub in node.findall(kind.sub_line)),
        allowances_charges=tuple(
            _allowance_charge(ac, "BT-136/BT-141") for ac in node.findall("cac:AllowanceCharge")
        ),
        price_base_quantity=node.optional_amount("cac:Price/cbc:BaseQuantity", "BT-149"),
        has_quantity=has_quantity,
        has_price=has_price,
    )


def _tax_total(root: Node, currency: str) -> Node | None:
    """BT-110 is the TaxTotal in the document currency (another one may hold BT-111)."""
    totals = root.findall("cac:TaxTotal")
    for total in totals:
        amount = total.find("cbc:TaxAmount")
        if amount is not None and amount.attr("currencyID") in {"", currency}:
            return total
    return totals[0] if totals else None


def _taxes(tax_total: Node | None) -> tuple[TaxBreakdown, ...]:
    if tax_total is None:
        return ()
    return tuple(
        TaxBreakdown(
            category=sub.required_text("cac:TaxCategory/cbc:ID", "BT-118"),
            rate=sub.optional_amount("cac:TaxCategory/cbc:Percent", "BT-119"),
            taxable_amount=sub.amount("cbc:TaxableAmount", "BT-116"),
            tax_amount=sub.amount("cbc:TaxAmount", "BT-117"),
            exemption_reason=sub.text("cac:TaxCategory/cbc:TaxExemptionReason")
            or sub.text("cac:TaxCategory/cbc:TaxExemptionReasonCode"),
        )
        for sub in tax_total.findall("cac:TaxSubtotal")
    )


def _totals(root: Node, tax_total: Node | None) -> Totals:
    sums = root.find("cac:LegalMonetaryTotal")
    if sums is None:
        raise missing("BG-22", "cac:LegalMonetaryTotal")
    return Totals(
        line_net=sums.amount("cbc:LineExtensionAmount", "BT-106"),
        allowances=sums.amount_or_zero("cbc:AllowanceTotalAmount", "BT-107"),
        charges=sums.amount_or_zero("cbc:ChargeTotalAmount", "BT-108"),
        net=sums.amount("cbc:TaxExclusiveAmount", "BT-109"),
        tax=tax_total.amount_or_zero("cbc:TaxAmount", "BT-110") if tax_total else Decimal(0),
        gross=sums.amount("cbc:TaxInclusiveAmount", "BT-112"),
        prepaid=sums.amount_or_zero("cbc:PrepaidAmount", "BT-113"),
        rounding=sums.amount_or_zero("cbc:PayableRoundingAmount", "BT-114"),
        payable=sums.amount("cbc:PayableAmount", "BT-115"),
    )


def _payment(root: Node) -> PaymentTerms:
    means = root.findall("cac:PaymentMeans")
    with_account = [m for m in means if m.text("cac:PayeeFinancialAccount/cbc:ID")]
    chosen = with_account[0] if with_account else (means[0] if means else None)
    text = "\n".join(root.texts("cac:PaymentTerms/cbc:Note"))
    due = _date(root, "cbc:DueDate", "BT-9")
    if due is None and chosen is not None:  # a CreditNote carries BT-9 in PaymentMeans
        due = _date(chosen, "cbc:PaymentDueDate", "BT-9")
    if chosen is None:
        return PaymentTerms(text=text, due_date=due, skonto=parse_skonto(text))
    account = "cac:PayeeFinancialAccount"
    return PaymentTerms(
        text=text,
        due_date=due,
        skonto=parse_skonto(text),
        means_code=chosen.text("cbc:PaymentMeansCode"),
        iban=chosen.text(f"{account}/cbc:ID"),
        bic=chosen.text(f"{account}/cac:FinancialInstitutionBranch/cbc:ID"),
        account_name=chosen.text(f"{account}/cbc:Name"),
        remittance=chosen.text("cbc:PaymentID"),
        mandate_reference=chosen.text("cac:PaymentMandate/cbc:ID"),
    )


def attachment_nodes(root: Node) -> list[Node]:
    """The AdditionalDocumentReferences that are BG-24 supporting documents."""
    return [
        ref
        for ref in root.findall("cac:AdditionalDocumentReference")
        if ref.text("cbc:DocumentTypeCode") not in _NOT_ATTACHMENTS
    ]


def embedded_object(ref: Node) -> Node | None:
    return ref.find("cac:Attachment/cbc:EmbeddedDocumentBinaryObject")


def _attachment(ref: Node) -> Attachment:
    embedded = embedded_object(ref)
    return Attachment(
        reference=ref.required_text("cbc:ID", "BT-122"),
        description=ref.text("cbc:DocumentDescription"),
        filename=embedded.attr("filename") if embedded is not None else "",
        media_type=embedded.attr("mimeCode") if embedded is not None else "",
        external_uri=ref.text("cac:Attachment/cac:ExternalReference/cbc:URI"),
        size=decoded_size(embedded.element.text or "") if embedded is not None else 0,
    )


def _project_reference(root: Node, kind: _Kind) -> str:
    if kind.syntax == "ubl-invoice":
        return root.text("cac:ProjectReference/cbc:ID")
    for ref in root.findall("cac:AdditionalDocumentReference"):
        if ref.text("cbc:DocumentTypeCode") == "50":
            return ref.text("cbc:ID")
    return ""


def parse_ubl(root: Node, *, credit_note: bool) -> Invoice:
    kind = _Kind(credit_note)
    currency = root.required_text("cbc:DocumentCurrencyCode", "BT-5")
    tax_total = _tax_total(root, currency)
    supplier = root.find("cac:AccountingSupplierParty/cac:Party")
    if supplier is None:
        raise missing("BG-4", "cac:AccountingSupplierParty/cac:Party")
    customer = root.find("cac:AccountingCustomerParty/cac:Party")
    if customer is None:
        raise missing("BG-7", "cac:AccountingCustomerParty/cac:Party")
    issue = root.required_text("cbc:IssueDate", "BT-2")
    return Invoice(
        syntax=kind.syntax,
        customization_id=root.required_text("cbc:CustomizationID", "BT-24"),
        number=root.required_text("cbc:ID", "BT-1"),
        type_code=root.required_text(kind.type_code, "BT-3"),
        issue_date=parse_iso_date(issue, "BT-2", "cbc:IssueDate"),
        currency=currency,
        seller=_party(supplier, "BT-27"),
        buyer=_party(customer, "BT-44"),
        totals=_totals(root, tax_total),
        buyer_reference=root.text("cbc:BuyerReference"),
        profile_id=root.text("cbc:ProfileID"),
        order_reference=root.text("cac:OrderReference/cbc:ID"),
        contract_reference=root.text("cac:ContractDocumentReference/cbc:ID"),
        project_reference=_project_reference(root, kind),
        preceding_invoice=root.text("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"),
        delivery_date=_date(root, "cac:Delivery/cbc:ActualDeliveryDate", "BT-72"),
        period_start=_date(root, "cac:InvoicePeriod/cbc:StartDate", "BT-73"),
        period_end=_date(root, "cac:InvoicePeriod/cbc:EndDate", "BT-74"),
        notes=tuple(
            _NOTE_SUBJECT.sub("", note, count=1).strip() for note in root.texts("cbc:Note")
        ),
        payee=_optional_party(root, "cac:PayeeParty", "BT-59"),
        tax_representative=_optional_party(root, "cac:TaxRepresentativeParty", "BT-62"),
        payment=_payment(root),
        taxes=_taxes(tax_total),
        allowances_charges=tuple(
            _allowance_charge(ac, "BT-92/BT-99") for ac in root.findall("cac:AllowanceCharge")
        ),
        lines=tuple(_line(line, kind) for line in root.findall(kind.line)),
        attachments=tuple(_attachment(ref) for ref in attachment_nodes(root)),
        third_party_payments=tuple(
            ThirdPartyPayment(
                type_id=paid.text("cbc:ID"),
                amount=paid.amount("cbc:PaidAmount", "BT-DEX-002"),
                description=paid.text("cbc:InstructionID"),
            )
            for paid in root.findall("cac:PrepaidPayment")
        ),
    )
