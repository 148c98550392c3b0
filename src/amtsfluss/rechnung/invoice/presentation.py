"""What the readable view and the PDF show of an invoice, precomputed for the templates.

Use: ``context.update(invoice_context(invoice, attachment_url=attachment_links(invoice, url)))``
and ``{% include "rechnung/includes/invoice.html" %}``. Amounts are :class:`Amount` values that
format themselves with Django's l10n when the template renders them (German: ``1.234,56``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from schwifty import IBAN

from amtsfluss.rechnung.invoice import codes
from amtsfluss.rechnung.invoice.model import (
    AllowanceCharge,
    Attachment,
    Invoice,
    Line,
    Party,
    Skonto,
    TaxBreakdown,
)
from amtsfluss.rechnung.invoice.skonto import free_text

MAX_DEPTH = 5  # deeper sub lines are indented like depth 5
_CENT = Decimal("0.01")


def plain(value: Decimal) -> Decimal:
    """``30.000`` → ``30``, ``2.50`` → ``2.5``: for quantities and percentages."""
    try:
        normalized = value.normalize()
        whole = normalized == normalized.to_integral()
        return normalized.quantize(Decimal(1)) if whole else normalized
    except InvalidOperation:  # more digits than the decimal context holds: show as written
        return value


@dataclass(frozen=True)
class Amount:
    """Money as written in the invoice; at least two decimal places when shown."""

    value: Decimal
    currency: str

    def __str__(self) -> str:
        places = max(2, -plain(self.value).as_tuple().exponent)  # type: ignore[operator]
        return formats.number_format(self.value, decimal_pos=places, force_grouping=True)


Label = str | Promise  # translated when the template renders it


@dataclass(frozen=True)
class LineRow:
    line: Line
    depth: int
    quantity: Decimal | None
    unit: Label
    net_price: Amount | None
    net_amount: Amount
    tax_rate: Decimal | None
    allowances_charges: tuple[AllowanceChargeRow, ...]


@dataclass(frozen=True)
class AllowanceChargeRow:
    item: AllowanceCharge
    kind: Label
    amount: Amount
    tax_category: Label
    tax_rate: Decimal | None


@dataclass(frozen=True)
class TaxRow:
    item: TaxBreakdown
    category: Label
    rate: Decimal | None
    taxable_amount: Amount
    tax_amount: Amount


@dataclass(frozen=True)
class SkontoRow:
    skonto: Skonto
    percent: Decimal
    until: date | None
    base: Amount
    discount: Amount
    to_pay: Amount


@dataclass(frozen=True)
class AttachmentRow:
    attachment: Attachment
    url: str


@dataclass(frozen=True)
class PartyBlock:
    role: Label
    party: Party
    heading_id: str


@dataclass(frozen=True)
class InvoiceView:
    invoice: Invoice
    type_name: Label
    parties: tuple[PartyBlock, ...]
    references: tuple[tuple[Label, str], ...]
    lines: tuple[LineRow, ...]
    allowances_charges: tuple[AllowanceChargeRow, ...]
    taxes: tuple[TaxRow, ...]
    totals: tuple[tuple[Label, Amount, bool], ...]  # label, amount, is the amount due
    payable: Amount
    payment_means: Label
    iban: str
    iban_checked: bool  # False: not a valid IBAN (shown as written)
    payment_text: str
    skonto: tuple[SkontoRow, ...]
    attachments: tuple[AttachmentRow, ...]


def format_iban(value: str) -> tuple[str, bool]:
    """(``DE75 5121 0800 1245 1261 99``, True) for a valid IBAN, else (as written, False)."""
    try:
        return str(IBAN(value).formatted), True
    except ValueError:  # schwifty's errors are ValueErrors; not every account is an IBAN
        return value, False


def _rate(value: Decimal | None) -> Decimal | None:
    return plain(value) if value is not None else None


def _allowance_charge(item: AllowanceCharge, currency: str) -> AllowanceChargeRow:
    return AllowanceChargeRow(
        item=item,
        kind=_("Charge") if item.is_charge else _("Allowance"),
        amount=Amount(item.amount, currency),
        tax_category=codes.label(codes.TAX_CATEGORIES, item.tax_category)
        if item.tax_category
        else "",
        tax_rate=_rate(item.tax_rate),
    )


def _line_rows(lines: tuple[Line, ...], currency: str, depth: int = 0) -> Iterator[LineRow]:
    for line in lines:
        yield LineRow(
            line=line,
            depth=min(depth, MAX_DEPTH),
            quantity=plain(line.quantity) if line.has_quantity else None,
            unit=codes.label(codes.UNITS, line.unit_code) if line.has_quantity else "",
            net_price=Amount(line.net_price, currency) if line.has_price else None,
            net_amount=Amount(line.net_amount, currency),
            tax_rate=_rate(line.tax_rate),
            allowances_charges=tuple(
                _allowance_charge(ac, currency) for ac in line.allowances_charges
            ),
        )
        yield from _line_rows(line.sub_lines, currency, depth + 1)


def _skonto_row(skonto: Skonto, invoice: Invoice) -> SkontoRow:
    """XRechnung: the days count from the invoice date; without BASISBETRAG the base is BT-115."""
    base = skonto.base_amount if skonto.base_amount is not None else invoice.totals.payable
    discount = (base * skonto.percent / 100).quantize(_CENT, rounding=ROUND_HALF_UP)
    currency = invoice.currency
    try:
        until: date | None = invoice.issue_date + timedelta(days=skonto.days)
    except OverflowError:  # an issue date near 9999-12-31
        until = None
    return SkontoRow(
        skonto=skonto,
        percent=plain(skonto.percent),
        until=until,
        base=Amount(base, currency),
        discount=Amount(discount, currency),
        to_pay=Amount(invoice.totals.payable - discount, currency),
    )


def _parties(invoice: Invoice) -> tuple[PartyBlock, ...]:
    blocks = [
        PartyBlock(_("Seller"), invoice.seller, "rechnung-seller"),
        PartyBlock(_("Buyer"), invoice.buyer, "rechnung-buyer"),
    ]
    if invoice.payee is not None:
        blocks.append(PartyBlock(_("Payee"), invoice.payee, "rechnung-payee"))
    if invoice.tax_representative is not None:
        blocks.append(
            PartyBlock(
                _("Seller's tax representative"),
                invoice.tax_representative,
                "rechnung-tax-representative",
            )
        )
    return tuple(blocks)


def _references(invoice: Invoice) -> tuple[tuple[Label, str], ...]:
    """The references that are present (dates are shown by the template)."""
    candidates = (
        (_("Buyer reference (Leitweg-ID)"), invoice.buyer_reference),
        (_("Purchase order"), invoice.order_reference),
        (_("Contract"), invoice.contract_reference),
        (_("Project"), invoice.project_reference),
        (_("Preceding invoice"), invoice.preceding_invoice),
    )
    return tuple((label, value) for label, value in candidates if value)


def _totals(invoice: Invoice) -> tuple[tuple[Label, Amount, bool], ...]:
    t = invoice.totals
    rows = (
        (_("Sum of line net amounts"), t.line_net, True),
        (_("Allowances"), t.allowances, bool(t.allowances)),
        (_("Charges"), t.charges, bool(t.charges)),
        (_("Total without VAT"), t.net, True),
        (_("VAT"), t.tax, True),
        (_("Total with VAT"), t.gross, True),
        (_("Paid in advance"), t.prepaid, bool(t.prepaid)),
        (_("Rounding"), t.rounding, bool(t.rounding)),
    )
    shown: list[tuple[Label, Amount, bool]] = [
        (label, Amount(value, invoice.currency), False) for label, value, on in rows if on
    ]
    shown.extend(
        (p.description or _("Third-party payment"), Amount(p.amount, invoice.currency), False)
        for p in invoice.third_party_payments
    )
    shown.append((_("Amount due"), Amount(t.payable, invoice.currency), True))
    return tuple(shown)


def attachment_links(invoice: Invoice, url_for: Callable[[Attachment], str]) -> dict[str, str]:
    """reference → download URL for every embedded attachment (external ones have none)."""
    return {a.reference: url_for(a) for a in invoice.attachments if a.size > 0}


def invoice_view(
    invoice: Invoice, *, attachment_url: Mapping[str, str] | None = None
) -> InvoiceView:
    urls = attachment_url or {}
    currency = invoice.currency
    payment = invoice.payment
    iban, iban_checked = format_iban(payment.iban) if payment.iban else ("", True)
    return InvoiceView(
        invoice=invoice,
        type_name=codes.label(codes.TYPE_CODES, invoice.type_code),
        parties=_parties(invoice),
        references=_references(invoice),
        lines=tuple(_line_rows(invoice.lines, currency)),
        allowances_charges=tuple(
            _allowance_charge(ac, currency) for ac in invoice.allowances_charges
        ),
        taxes=tuple(
            TaxRow(
                item=tax,
                category=codes.label(codes.TAX_CATEGORIES, tax.category),
                rate=_rate(tax.rate),
                taxable_amount=Amount(tax.taxable_amount, currency),
                tax_amount=Amount(tax.tax_amount, currency),
            )
            for tax in invoice.taxes
        ),
        totals=_totals(invoice),
        payable=Amount(invoice.totals.payable, currency),
        payment_means=codes.label(codes.PAYMENT_MEANS, payment.means_code)
        if payment.means_code
        else "",
        iban=iban,
        iban_checked=iban_checked,
        payment_text=free_text(payment.text),
        skonto=tuple(_skonto_row(s, invoice) for s in payment.skonto),
        attachments=tuple(
            AttachmentRow(attachment=a, url=urls.get(a.reference, "")) for a in invoice.attachments
        ),
    )


def invoice_context(
    invoice: Invoice, *, attachment_url: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The context ``rechnung/includes/invoice.html`` reads (``invoice`` and ``invoice_view``)."""
    return {
        "invoice": invoice,
        "invoice_view": invoice_view(invoice, attachment_url=attachment_url),
        "attachment_url": dict(attachment_url or {}),
    }
