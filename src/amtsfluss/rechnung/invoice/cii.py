"""UN/CEFACT CII D16B (XRechnung, EN 16931, Factur-X/ZUGFeRD) → EN 16931 model.

Mapping as in the EN 16931-3-3 syntax binding. Tolerated beyond EN 16931 (Factur-X EXTENDED):
lines nested by ``ParentLineID``, ``IncludedSubordinateTradeLineItem`` and structured discount
terms (``ApplicableTradePaymentDiscountTerms``).
"""

from __future__ import annotations

from dataclasses import replace
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
    Skonto,
    TaxBreakdown,
    Totals,
)
from amtsfluss.rechnung.invoice.reading import Node, missing, parse_cii_date
from amtsfluss.rechnung.invoice.skonto import parse_skonto

CII = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
NAMESPACES = {
    "rsm": CII,
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}
ATTACHMENT_TYPE = "916"  # AdditionalReferencedDocument type code of BG-24
MAX_NESTING = 20  # ParentLineID levels followed; deeper documents are shown flat

_AGREEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
_DELIVERY = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeDelivery"
_SETTLEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"


def _date(node: Node, path: str, term: str) -> date | None:
    """A date below ``path`` (``udt:DateTimeString``, ``udt:DateString`` or ``qdt:…``)."""
    holder = node.find(path)
    if holder is None:
        return None
    for child in ("udt:DateTimeString", "udt:DateString", "qdt:DateTimeString", "qdt:DateString"):
        found = holder.find(child)
        if found is not None and found.value():
            return parse_cii_date(found.value(), found.attr("format"), term, f"{path}/{child}")
    return None


def _address(node: Node | None) -> Address:
    if node is None:
        return Address()
    return Address(
        street=node.text("ram:LineOne"),
        additional=node.text("ram:LineTwo"),
        postcode=node.text("ram:PostcodeCode"),
        city=node.text("ram:CityName"),
        country=node.text("ram:CountryID"),
    )


def _party(party: Node, term: str) -> Party:
    identifiers = party.texts("ram:ID") + party.texts("ram:GlobalID")
    identifiers += party.texts("ram:SpecifiedLegalOrganization/ram:ID")
    contact = party.find("ram:DefinedTradeContact")
    return Party(
        name=party.required_text("ram:Name", term),
        trading_name=party.text("ram:SpecifiedLegalOrganization/ram:TradingBusinessName"),
        identifier=identifiers[0] if identifiers else "",
        vat_id=party.text("ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']"),
        tax_number=party.text("ram:SpecifiedTaxRegistration/ram:ID[@schemeID='FC']"),
        electronic_address=party.text("ram:URIUniversalCommunication/ram:URIID"),
        address=_address(party.find("ram:PostalTradeAddress")),
        contact_name=(contact.text("ram:PersonName") or contact.text("ram:DepartmentName"))
        if contact
        else "",
        contact_phone=contact.text("ram:TelephoneUniversalCommunication/ram:CompleteNumber")
        if contact
        else "",
        contact_email=contact.text("ram:EmailURIUniversalCommunication/ram:URIID")
        if contact
        else "",
    )


def _required_party(root: Node, path: str, term: str) -> Party:
    node = root.find(path)
    if node is None:
        raise missing(term, path)
    return _party(node, term)


def _optional_party(root: Node, path: str, term: str) -> Party | None:
    node = root.find(path)
    return _party(node, term) if node is not None and node.text("ram:Name") else None


def _allowance_charge(node: Node, term: str) -> AllowanceCharge:
    return AllowanceCharge(
        is_charge=node.text("ram:ChargeIndicator/udt:Indicator").lower() == "true",
        amount=node.amount("ram:ActualAmount", term),
        reason=node.text("ram:Reason") or node.text("ram:ReasonCode"),
        tax_category=node.text("ram:CategoryTradeTax/ram:CategoryCode"),
        tax_rate=node.optional_amount(
            "ram:CategoryTradeTax/ram:RateApplicablePercent", "BT-96/BT-103"
        ),
    )


def _subordinate(node: Node, parent_id: str, index: int) -> Line:
    """An ``IncludedSubordinateTradeLineItem``; it has no amount of its own, so the net amount
    is quantity × net price / base quantity (0 without a price)."""
    product = node.find("ram:SpecifiedReferencedProduct") or node.find("ram:ApplicableTradeProduct")
    price_path = "ram:SpecifiedSubordinateLineTradeAgreement/ram:NetPriceProductTradePrice"
    quantity_node = (product.find("ram:UnitQuantity") if product else None) or node.find(
        "ram:SpecifiedSubordinateLineTradeDelivery/ram:ProductUnitQuantity"
    )
    quantity = quantity_node.amount(".", "BT-129") if quantity_node is not None else None
    price = node.optional_amount(f"{price_path}/ram:ChargeAmount", "BT-146")
    base = node.optional_amount(f"{price_path}/ram:BasisQuantity", "BT-149")
    computed = quantity * price / (base or 1) if quantity is not None and price is not None else 0
    return Line(
        line_id=node.text("ram:ID") or f"{parent_id}.{index}",
        name=(product.text("ram:Name") if product else "") or node.text("ram:ID"),
        quantity=quantity if quantity is not None else Decimal(0),
        unit_code=quantity_node.attr("unitCode") if quantity_node is not None else "",
        net_price=price if price is not None else Decimal(0),
        net_amount=Decimal(computed),
        description=product.text("ram:Description") if product else "",
        seller_item_id=product.text("ram:SellerAssignedID") if product else "",
        price_base_quantity=base,
        has_quantity=quantity is not None,
        has_price=price is not None,
    )


def _line(node: Node) -> tuple[Line, str]:
    """One line item and its ``ParentLineID`` (Factur-X EXTENDED), ``""`` for none."""
    document = "ram:AssociatedDocumentLineDocument"
    agreement = "ram:SpecifiedLineTradeAgreement"
    settlement = "ram:SpecifiedLineTradeSettlement"
    quantity_path = "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"
    quantity = node.find(quantity_path)
    line_id = node.required_text(f"{document}/ram:LineID", "BT-126")
    line = Line(
        line_id=line_id,
        name=node.required_text("ram:SpecifiedTradeProduct/ram:Name", "BT-153"),
        quantity=node.amount(quantity_path, "BT-129"),
        unit_code=quantity.attr("unitCode") if quantity is not None else "",
        net_price=node.amount(
            f"{agreement}/ram:NetPriceProductTradePrice/ram:ChargeAmount", "BT-146"
        ),
        net_amount=node.amount(
            f"{settlement}/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
            "BT-131",
        ),
        tax_category=node.text(f"{settlement}/ram:ApplicableTradeTax/ram:CategoryCode"),
        tax_rate=node.optional_amount(
            f"{settlement}/ram:ApplicableTradeTax/ram:RateApplicablePercent", "BT-152"
        ),
        description=node.text("ram:SpecifiedTradeProduct/ram:Description"),
        seller_item_id=node.text("ram:SpecifiedTradeProduct/ram:SellerAssignedID"),
        note="\n".join(node.texts(f"{document}/ram:IncludedNote/ram:Content")),
        period_start=_date(
            node, f"{settlement}/ram:BillingSpecifiedPeriod/ram:StartDateTime", "BT-134"
        ),
        period_end=_date(
            node, f"{settlement}/ram:BillingSpecifiedPeriod/ram:EndDateTime", "BT-135"
        ),
        sub_lines=tuple(
            _subordinate(sub, line_id, index)
            for index, sub in enumerate(node.findall("ram:IncludedSubordinateTradeLineItem"), 1)
        ),
        allowances_charges=tuple(
            _allowance_charge(ac, "BT-136/BT-141")
            for ac in node.findall(f"{settlement}/ram:SpecifiedTradeAllowanceCharge")
        ),
        price_base_quantity=node.optional_amount(
            f"{agreement}/ram:NetPriceProductTradePrice/ram:BasisQuantity", "BT-149"
        ),
    )
    return line, node.text(f"{document}/ram:ParentLineID")


def _count(lines: tuple[Line, ...]) -> int:
    return sum(1 + _count(line.sub_lines) for line in lines)


def nest_lines(items: list[tuple[Line, str]]) -> tuple[Line, ...]:
    """Lines with a ``ParentLineID`` become sub lines of their parent; flat if that fails."""
    flat = tuple(line for line, _ in items)
    ids = {line.line_id for line in flat}
    children: dict[str, list[Line]] = {}
    top: list[Line] = []
    for line, parent in items:
        if parent and parent in ids and parent != line.line_id:
            children.setdefault(parent, []).append(line)
        else:
            top.append(line)

    def build(line: Line, ancestors: frozenset[str]) -> Line:
        if line.line_id in ancestors or len(ancestors) >= MAX_NESTING:
            return line  # a cycle or a hostile depth: the count check below falls back to flat
        kids = tuple(build(k, ancestors | {line.line_id}) for k in children.get(line.line_id, []))
        return replace(line, sub_lines=line.sub_lines + kids) if kids else line

    nested = tuple(build(line, frozenset()) for line in top)
    return nested if _count(nested) == _count(flat) else flat


def _taxes(settlement: Node) -> tuple[TaxBreakdown, ...]:
    return tuple(
        TaxBreakdown(
            category=tax.required_text("ram:CategoryCode", "BT-118"),
            rate=tax.optional_amount("ram:RateApplicablePercent", "BT-119"),
            taxable_amount=tax.amount("ram:BasisAmount", "BT-116"),
            tax_amount=tax.amount("ram:CalculatedAmount", "BT-117"),
            exemption_reason=tax.text("ram:ExemptionReason") or tax.text("ram:ExemptionReasonCode"),
        )
        for tax in settlement.findall("ram:ApplicableTradeTax")
    )


def _tax_total(sums: Node, currency: str) -> Decimal:
    """BT-110: the TaxTotalAmount in the invoice currency (another may hold BT-111)."""
    amounts = sums.findall("ram:TaxTotalAmount")
    for amount in amounts:
        if amount.attr("currencyID") in {"", currency}:
            return amount.amount(".", "BT-110")
    return amounts[0].amount(".", "BT-110") if amounts else Decimal(0)


def _totals(settlement: Node, currency: str) -> Totals:
    sums = settlement.find("ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    if sums is None:
        raise missing("BG-22", "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    return Totals(
        line_net=sums.amount("ram:LineTotalAmount", "BT-106"),
        allowances=sums.amount_or_zero("ram:AllowanceTotalAmount", "BT-107"),
        charges=sums.amount_or_zero("ram:ChargeTotalAmount", "BT-108"),
        net=sums.amount("ram:TaxBasisTotalAmount", "BT-109"),
        tax=_tax_total(sums, currency),
        gross=sums.amount("ram:GrandTotalAmount", "BT-112"),
        prepaid=sums.amount_or_zero("ram:TotalPrepaidAmount", "BT-113"),
        rounding=sums.amount_or_zero("ram:RoundingAmount", "BT-114"),
        payable=sums.amount("ram:DuePayableAmount", "BT-115"),
    )


def _discount_terms(terms: list[Node]) -> tuple[Skonto, ...]:
    """Factur-X EXTENDED's structured cash discounts."""
    found = []
    for node in (d for t in terms for d in t.findall("ram:ApplicableTradePaymentDiscountTerms")):
        days = node.optional_amount("ram:BasisPeriodMeasure", "BT-20")
        percent = node.optional_amount("ram:CalculationPercent", "BT-20")
        if days is not None and percent is not None and 0 <= days < 10_000 and days % 1 == 0:
            base = node.optional_amount("ram:BasisAmount", "BT-20")
            found.append(Skonto(days=int(days), percent=percent, base_amount=base))
    return tuple(found)


def _payment(settlement: Node) -> PaymentTerms:
    account = "ram:PayeePartyCreditorFinancialAccount"
    means = settlement.findall("ram:SpecifiedTradeSettlementPaymentMeans")
    with_account = [
        m
        for m in means
        if m.text(f"{account}/ram:IBANID") or m.text(f"{account}/ram:ProprietaryID")
    ]
    chosen = with_account[0] if with_account else (means[0] if means else None)
    terms = settlement.findall("ram:SpecifiedTradePaymentTerms")
    text = "\n".join(d for t in terms for d in t.texts("ram:Description"))
    due = next((d for d in (_date(t, "ram:DueDateDateTime", "BT-9") for t in terms) if d), None)
    payment = PaymentTerms(
        text=text,
        due_date=due,
        skonto=parse_skonto(text) + _discount_terms(terms),
        remittance=settlement.text("ram:PaymentReference"),
        mandate_reference=next((m for t in terms for m in t.texts("ram:DirectDebitMandateID")), ""),
    )
    if chosen is None:
        return payment
    return replace(
        payment,
        means_code=chosen.text("ram:TypeCode"),
        iban=chosen.text(f"{account}/ram:IBANID") or chosen.text(f"{account}/ram:ProprietaryID"),
        bic=chosen.text("ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID"),
        account_name=chosen.text(f"{account}/ram:AccountName"),
    )


def attachment_nodes(root: Node) -> list[Node]:
    """The AdditionalReferencedDocuments that are BG-24 supporting documents."""
    return [
        ref
        for ref in root.findall(f"{_AGREEMENT}/ram:AdditionalReferencedDocument")
        if ref.text("ram:TypeCode") == ATTACHMENT_TYPE
    ]


def embedded_object(ref: Node) -> Node | None:
    return ref.find("ram:AttachmentBinaryObject")


def _attachment(ref: Node) -> Attachment:
    embedded = embedded_object(ref)
    return Attachment(
        reference=ref.required_text("ram:IssuerAssignedID", "BT-122"),
        description=ref.text("ram:Name"),
        filename=embedded.attr("filename") if embedded is not None else "",
        media_type=embedded.attr("mimeCode") if embedded is not None else "",
        external_uri=ref.text("ram:URIID"),
        size=decoded_size(embedded.element.text or "") if embedded is not None else 0,
    )


def parse_cii(root: Node) -> Invoice:
    settlement = root.find(_SETTLEMENT)
    if settlement is None:
        raise missing("BG-22", _SETTLEMENT)
    agreement = root.find(_AGREEMENT)
    if agreement is None:
        raise missing("BG-4", _AGREEMENT)
    currency = settlement.required_text("ram:InvoiceCurrencyCode", "BT-5")
    document = "rsm:ExchangedDocument"
    context = "rsm:ExchangedDocumentContext"
    issue_date = _date(root, f"{document}/ram:IssueDateTime", "BT-2")
    if issue_date is None:
        raise missing("BT-2", f"{document}/ram:IssueDateTime")
    return Invoice(
        syntax="cii",
        customization_id=root.required_text(
            f"{context}/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", "BT-24"
        ),
        number=root.required_text(f"{document}/ram:ID", "BT-1"),
        type_code=root.required_text(f"{document}/ram:TypeCode", "BT-3"),
        issue_date=issue_date,
        currency=currency,
        seller=_required_party(agreement, "ram:SellerTradeParty", "BT-27"),
        buyer=_required_party(agreement, "ram:BuyerTradeParty", "BT-44"),
        totals=_totals(settlement, currency),
        buyer_reference=agreement.text("ram:BuyerReference"),
        profile_id=root.text(
            f"{context}/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID"
        ),
        order_reference=agreement.text("ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"),
        contract_reference=agreement.text("ram:ContractReferencedDocument/ram:IssuerAssignedID"),
        project_reference=agreement.text("ram:SpecifiedProcuringProject/ram:ID"),
        preceding_invoice=settlement.text("ram:InvoiceReferencedDocument/ram:IssuerAssignedID"),
        delivery_date=_date(
            root, f"{_DELIVERY}/ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime", "BT-72"
        ),
        period_start=_date(settlement, "ram:BillingSpecifiedPeriod/ram:StartDateTime", "BT-73"),
        period_end=_date(settlement, "ram:BillingSpecifiedPeriod/ram:EndDateTime", "BT-74"),
        notes=tuple(root.texts(f"{document}/ram:IncludedNote/ram:Content")),
        payee=_optional_party(settlement, "ram:PayeeTradeParty", "BT-59"),
        tax_representative=_optional_party(
            agreement, "ram:SellerTaxRepresentativeTradeParty", "BT-62"
        ),
        payment=_payment(settlement),
        taxes=_taxes(settlement),
        allowances_charges=tuple(
            _allowance_charge(ac, "BT-92/BT-99")
            for ac in settlement.findall("ram:SpecifiedTradeAllowanceCharge")
        ),
        lines=nest_lines(
            [
                _line(n)
                for n in root.findall(
                    "rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem"
                )
            ]
        ),
        attachments=tuple(_attachment(ref) for ref in attachment_nodes(root)),
    )
