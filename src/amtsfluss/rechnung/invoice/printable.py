"""The readable copy of an e-invoice as PDF/A-2b (tagged), with the validation report if given.

WeasyPrint renders ``rechnung/print/invoice.html`` offline: its URL fetcher refuses every URL
(no network, no file system), the stylesheet is inline, fonts come from the system.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from weasyprint import HTML  # type: ignore[import-untyped]
from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

from amtsfluss.rechnung.invoice.model import Invoice
from amtsfluss.rechnung.invoice.presentation import invoice_context
from amtsfluss.rechnung.invoice.validation_report import validation_view

PDF_VARIANT = "pdf/a-2b"


class RefusingURLFetcher(URLFetcher):  # type: ignore[misc]
    """Fetches nothing: the print template is self-contained, so any URL is a mistake."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        raise ValueError(f"URL fetching is disabled for invoice PDFs: {url[:80]}")


def css_string(text: str) -> SafeString:
    """``text`` as a quoted CSS string; everything but letters, digits, space is escaped."""
    escaped = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text)
    return mark_safe(f'"{escaped}"')  # noqa: S308 - only alphanumerics and CSS escapes


def invoice_html(invoice: Invoice, *, validation: Any = None) -> str:
    """The standalone print HTML (useful on its own for checks and previews)."""
    context = invoice_context(invoice)
    view = context["invoice_view"]
    context["result"] = validation_view(validation) if validation is not None else None
    context["running_header_css"] = css_string(f"{view.type_name} {invoice.number}")
    context["page_label_css"] = css_string(_("Page"))
    return render_to_string("rechnung/print/invoice.html", context)


def _pdf(html: str) -> bytes:
    document = HTML(string=html, url_fetcher=RefusingURLFetcher())
    pdf: bytes = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
    return pdf


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
    return _pdf(validation_report_html(validation, file_name=file_name))


def invoice_pdf(invoice: Invoice, *, validation: Any = None) -> bytes:
    """PDF/A-2b, tagged, A4, page numbers; the validation report (a ``ValidationResult`` or its
    ``to_dict()``) appended on a new page when given."""
    return _pdf(invoice_html(invoice, validation=validation))
