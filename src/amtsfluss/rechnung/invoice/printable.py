"""The readable copy of an e-invoice as PDF/A-2b (tagged), with the validation report if given.

Rendered offline from ``rechnung/print/invoice.html`` by ``core.printable``.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from amtsfluss.core.printable import css_string, html_to_pdf
from amtsfluss.rechnung.invoice.model import Invoice
from amtsfluss.rechnung.invoice.presentation import invoice_context
from amtsfluss.rechnung.invoice.validation_report import validation_view


def invoice_html(invoice: Invoice, *, validation: Any = None) -> str:
    """The standalone print HTML (useful on its own for checks and previews)."""
    context = invoice_context(invoice)
    view = context["invoice_view"]
    context["result"] = validation_view(validation) if validation is not None else None
    context["running_header_css"] = css_string(f"{view.type_name} {invoice.number}")
    context["page_label_css"] = css_string(_("Page"))
    return render_to_string("rechnung/print/invoice.html", context)


def validation_report_html(validation: Any, *, file_name: str = "") -> str:
    context = {
        "result": validation_view(validation),
        "file_name": file_name,
        "running_header_css": css_string(f"{_('Validation report')} {file_name}".strip()),
        "page_label_css": css_string(_("Page")),
    }
    return render_to_string("rechnung/print/validation_report.html", context)


def validation_report_pdf(validation: Any, *, file_name: str = "") -> bytes:
    """The validation report alone, for a document that could not be read as an invoice."""
    return html_to_pdf(validation_report_html(validation, file_name=file_name))


def invoice_pdf(invoice: Invoice, *, validation: Any = None) -> bytes:
    """PDF/A-2b, tagged, A4, page numbers; the validation report (a ``ValidationResult`` or its
    ``to_dict()``) appended on a new page when given."""
    return html_to_pdf(invoice_html(invoice, validation=validation))
