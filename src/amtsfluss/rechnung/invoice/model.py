"""EN 16931 semantic model of an invoice, independent of its syntax (UBL or CII).

The parser (``parse.py``) fills it; the Rechnungseingangsbuch, the readable view and the
printable PDF read it. Amounts are ``Decimal`` exactly as written in the XML; business terms
(BT-…) are named in the comments so a reader can look them up in EN 16931-1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Address:
    street: str = ""  # BT-35 / BT-50
    additional: str = ""  # BT-36 / BT-51
    postcode: str = ""  # BT-38 / BT-53
    city: str = ""  # BT-37 / BT-52
    country: str = ""  # BT-40 / BT-55 (ISO 3166-1 alpha-2)


@dataclass(frozen=True)
class Party:
    name: str  # BT-27 / BT-44
    trading_name: str = ""  # BT-28 / BT-45
    identifier: str = ""  # BT-29 / BT-46
    vat_id: str = ""  # BT-31 / BT-48
    tax_number: str = ""  # BT-32
    electronic_address: str = ""  # BT-34 / BT-49
    address: Address = field(default_factory=Address)
    contact_name: str = ""  # BT-41 / BT-56
    contact_phone: str = ""  # BT-42 / BT-57
    contact_email: str = ""  # BT-43 / BT-58


@dataclass(frozen=True)
class Skonto:
    """One cash-discount term (XRechnung: ``#SKONTO#TAGE=14#PROZENT=2.00#`` in BT-20)."""

    days: int
    percent: Decimal
    base_amount: Decimal | None = None


@dataclass(frozen=True)
class PaymentTerms:
    text: str = ""  # BT-20
    due_date: date | None = None  # BT-9
    skonto: tuple[Skonto, ...] = ()
    means_code: str = ""  # BT-81 (e.g. 58 SEPA credit transfer)
    iban: str = ""  # BT-84
    bic: str = ""  # BT-86
    account_name: str = ""  # BT-85
    remittance: str = ""  # BT-83 Verwendungszweck
    mandate_reference: str = ""  # BT-89 (direct debit)


@dataclass(frozen=True)
class TaxBreakdown:
    category: str  # BT-118 (S, Z, E, AE, K, G, O, L, M)
    rate: Decimal | None  # BT-119
    taxable_amount: Decimal  # BT-116
    tax_amount: Decimal  # BT-117
    exemption_reason: str = ""  # BT-120


@dataclass(frozen=True)
class AllowanceCharge:
    is_charge: bool
    amount: Decimal  # BT-92 / BT-99
    reason: str = ""  # BT-97 / BT-104
    tax_category: str = ""
    tax_rate: Decimal | None = None


@dataclass(frozen=True)
class Line:
    line_id: str  # BT-126
    name: str  # BT-153
    quantity: Decimal  # BT-129
    unit_code: str  # BT-130
    net_price: Decimal  # BT-146
    net_amount: Decimal  # BT-131
    tax_category: str = ""  # BT-151
    tax_rate: Decimal | None = None  # BT-152
    description: str = ""  # BT-154
    seller_item_id: str = ""  # BT-155
    note: str = ""  # BT-127
    period_start: date | None = None
    period_end: date | None = None
    sub_lines: tuple[Line, ...] = ()  # XRechnung sub invoice lines (UBL extension)
    # Added for the readable view (optional, at the end):
    allowances_charges: tuple[AllowanceCharge, ...] = ()  # BG-27 / BG-28
    price_base_quantity: Decimal | None = None  # BT-149
    # A sub line may be a mere group (subtotal) without quantity or price of its own; then
    # quantity / net_price read 0 and these say so (top-level lines always have both).
    has_quantity: bool = True
    has_price: bool = True


@dataclass(frozen=True)
class Attachment:
    """An additional supporting document (BG-24); the content stays in the XML."""

    reference: str  # BT-122
    description: str = ""  # BT-123
    filename: str = ""  # BT-125 filename attribute
    media_type: str = ""  # BT-125 mimeCode
    external_uri: str = ""  # BT-124 (shown, never fetched)
    size: int = 0  # decoded bytes, 0 when external


@dataclass(frozen=True)
class Totals:
    line_net: Decimal  # BT-106
    allowances: Decimal  # BT-107
    charges: Decimal  # BT-108
    net: Decimal  # BT-109 total without VAT
    tax: Decimal  # BT-110
    gross: Decimal  # BT-112 total with VAT
    prepaid: Decimal  # BT-113
    rounding: Decimal  # BT-114
    payable: Decimal  # BT-115


@dataclass(frozen=True)
class ThirdPartyPayment:
    """XRechnung extension BG-DEX-09: collected for a third party, added to BT-115 (BR-DEX-09)."""

    type_id: str  # BT-DEX-001
    amount: Decimal  # BT-DEX-002
    description: str = ""  # BT-DEX-003


@dataclass(frozen=True)
class Invoice:
    syntax: str  # ubl-invoice | ubl-creditnote | cii
    customization_id: str  # BT-24
    number: str  # BT-1
    type_code: str  # BT-3 (380 invoice, 381 credit note, 384 corrected, 326 partial, ...)
    issue_date: date  # BT-2
    currency: str  # BT-5
    seller: Party  # BG-4
    buyer: Party  # BG-7
    totals: Totals  # BG-22
    buyer_reference: str = ""  # BT-10 (Leitweg-ID for German public buyers)
    profile_id: str = ""  # BT-23
    order_reference: str = ""  # BT-13
    contract_reference: str = ""  # BT-12
    project_reference: str = ""  # BT-11
    preceding_invoice: str = ""  # BT-25
    delivery_date: date | None = None  # BT-72
    period_start: date | None = None  # BT-73
    period_end: date | None = None  # BT-74
    notes: tuple[str, ...] = ()  # BT-22
    payee: Party | None = None  # BG-10
    tax_representative: Party | None = None  # BG-11
    payment: PaymentTerms = field(default_factory=PaymentTerms)
    taxes: tuple[TaxBreakdown, ...] = ()  # BG-23
    allowances_charges: tuple[AllowanceCharge, ...] = ()  # BG-20 / BG-21
    lines: tuple[Line, ...] = ()  # BG-25
    attachments: tuple[Attachment, ...] = ()  # BG-24
    third_party_payments: tuple[ThirdPartyPayment, ...] = ()  # BG-DEX-09 (added, optional)

    @property
    def is_credit_note(self) -> bool:
        return self.syntax == "ubl-creditnote" or self.type_code in {"381", "261", "262", "396"}
