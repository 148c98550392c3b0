"""E-invoices by mail and from a watched folder: the ``rechnung`` intake handler.

Every XML or PDF attachment of a mail (channel ``mail``), and every file of the folder
(channel ``ordner``), goes to ``rechnung_receive`` with the item's provenance. Items without
such a file are refused with a reason; a missing rule pack makes the item wait for a retry.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from amtsfluss.core.errors import ServiceError
from amtsfluss.core.intake.handlers import Refused, TryLater, register_handler
from amtsfluss.core.intake.items import Attachment, IntakeItem
from amtsfluss.rechnung.services.eingang import rechnung_receive

INVOICE_TYPES = frozenset({"application/xml", "text/xml", "application/pdf"})
INVOICE_SUFFIXES = (".xml", ".pdf")


def is_invoice_file(attachment: Attachment) -> bool:
    """An XML or PDF file by name, declared type or first bytes (it is validated later)."""
    head = attachment.data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    return (
        attachment.filename.lower().endswith(INVOICE_SUFFIXES)
        or attachment.content_type in INVOICE_TYPES
        or head.startswith((b"%PDF-", b"<?xml"))
    )


def receive_invoices(item: IntakeItem) -> str:
    """Register each invoice file of ``item``; return their Eingangsnummern."""
    files = [attachment for attachment in item.attachments if is_invoice_file(attachment)]
    if not files:
        raise Refused(
            _("No XML or PDF file found; an e-invoice is expected as an attachment.")
            if item.source == "mail"
            else _("Not an XML or PDF file; an e-invoice is expected.")
        )
    numbers = []
    for attachment in files:
        try:
            rechnung = rechnung_receive(
                mandant=item.mandant,
                data=attachment.data,
                filename=attachment.filename,
                channel=item.source,
                provenance=item.provenance,
            )
        except ServiceError as exc:
            if exc.code == "no_rules":
                raise TryLater(exc.message) from exc
            raise
        numbers.append(rechnung.eingangsnummer)
    return ", ".join(numbers)


register_handler("rechnung", receive_invoices)
