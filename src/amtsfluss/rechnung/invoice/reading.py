"""Reading values out of an e-invoice tree: text, amounts, dates; clear errors for people.

Both syntaxes (UBL in ``ubl.py``, CII in ``cii.py``) read through :class:`Node`, so a missing
mandatory element or a malformed number always ends as :class:`InvoiceParseError` naming the
business term, never as ``KeyError``/``AttributeError``/``decimal.InvalidOperation``.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from amtsfluss.core.errors import ServiceError

# xsd:decimal lexical space: no exponent, no NaN/Infinity, no thousands separators.
MAX_NUMBER_CHARS = 40
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_ECHO_LIMIT = 40


class InvoiceParseError(ServiceError):
    """The bytes are not a readable e-invoice; ``message`` says why, for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="invoice-unreadable")


def _echo(value: str) -> str:
    return value if len(value) <= _ECHO_LIMIT else value[:_ECHO_LIMIT] + "…"


def missing(term: str, element: str) -> InvoiceParseError:
    return InvoiceParseError(
        _("The e-invoice lacks a mandatory element: %(term)s (%(element)s).")
        % {"term": term, "element": element}
    )


def parse_decimal(value: str, term: str, element: str) -> Decimal:
    """``value`` as written (``Decimal("30.00")`` keeps its two places)."""
    text = value.strip()
    # EN 16931 amounts and quantities are short; a number of thousands of digits would make
    # every later calculation slow or overflow the decimal context
    if len(text) > MAX_NUMBER_CHARS or not _DECIMAL.fullmatch(text):
        raise InvoiceParseError(
            _("%(term)s is not a number: “%(value)s” (%(element)s).")
            % {"term": term, "value": _echo(text), "element": element}
        )
    return Decimal(text)


def parse_iso_date(value: str, term: str, element: str) -> date:
    """A UBL date, ``YYYY-MM-DD``."""
    text = value.strip()
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise InvoiceParseError(
            _("%(term)s is not a valid date: “%(value)s” (%(element)s).")
            % {"term": term, "value": _echo(text), "element": element}
        ) from None


def parse_cii_date(value: str, date_format: str, term: str, element: str) -> date:
    """A CII date string: format 102 ``YYYYMMDD`` (the only format EN 16931 allows)."""
    text = value.strip()
    try:
        if date_format not in {"", "102"} or len(text) != 8 or not text.isdigit():
            raise ValueError(text)
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise InvoiceParseError(
            _("%(term)s is not a valid date: “%(value)s” (%(element)s).")
            % {"term": term, "value": _echo(text), "element": element}
        ) from None


class Node:
    """An element of the invoice tree, read with its syntax's namespace prefixes.

    Paths are ElementPath expressions relative to the element (``cac:Party/cbc:Name``). Absent
    optional elements read as ``""``/``None``; absent mandatory ones raise
    :class:`InvoiceParseError`.
    """

    def __init__(self, element: Any, namespaces: dict[str, str]) -> None:
        self.element = element
        self.namespaces = namespaces

    def find(self, path: str) -> Node | None:
        found = self.element.find(path, self.namespaces)
        return None if found is None else Node(found, self.namespaces)

    def findall(self, path: str) -> list[Node]:
        return [Node(e, self.namespaces) for e in self.element.findall(path, self.namespaces)]

    def value(self) -> str:
        """The element's own text, whitespace-trimmed (attachments are never read this way)."""
        return (self.element.text or "").strip()

    def attr(self, name: str) -> str:
        return (self.element.get(name) or "").strip()

    def text(self, path: str) -> str:
        found = self.find(path)
        return found.value() if found is not None else ""

    def texts(self, path: str) -> list[str]:
        return [v for v in (n.value() for n in self.findall(path)) if v]

    def required_text(self, path: str, term: str) -> str:
        value = self.text(path)
        if not value:
            raise missing(term, path)
        return value

    def amount(self, path: str, term: str) -> Decimal:
        return parse_decimal(self.required_text(path, term), term, path)

    def optional_amount(self, path: str, term: str) -> Decimal | None:
        value = self.text(path)
        return parse_decimal(value, term, path) if value else None

    def amount_or_zero(self, path: str, term: str) -> Decimal:
        found = self.optional_amount(path, term)
        return Decimal(0) if found is None else found
