"""Reading bank-to-customer statements (ISO 20022 CAMT.053, versions .001.02 to .001.08+).

Untrusted bytes pass the same gate as e-invoices: a size limit, a prolog scan that refuses any
DOCTYPE or other markup declaration (XXE, entity expansion) before a parser sees the bytes, and
lxml's hardened parser that never resolves entities nor touches the network. Only booked
credit entries that are not reversals are returned; a batched entry with several transaction
details gives one credit per transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from lxml import etree  # type: ignore[import-untyped]

from amtsfluss.core.errors import ServiceError
from amtsfluss.rechnung.validation.hardening import hardened_parser, prolog_problem

MAX_BYTES = 20 * 1024 * 1024
"""Largest statement file accepted (20 MiB)."""

NAMESPACE_PREFIX = "urn:iso:std:iso:20022:tech:xsd:camt.053.001."
MAX_TEXT = 500


@dataclass(frozen=True)
class Gutschrift:
    """One credit from a statement."""

    referenz: str
    betrag: Decimal
    waehrung: str
    buchungstag: date | None
    verwendungszweck: str
    referenzen: tuple[str, ...]
    auftraggeber: str


@dataclass(frozen=True)
class Kontoauszug:
    iban: str
    gutschriften: list[Gutschrift]


class _Reader:
    def __init__(self, namespace: str) -> None:
        self.ns = {"c": namespace}

    def all(self, node: Any, path: str) -> list[Any]:
        return list(node.xpath(path, namespaces=self.ns))

    def first(self, node: Any, path: str) -> Any:
        found = self.all(node, path)
        return found[0] if found else None

    def text(self, node: Any, path: str) -> str:
        found = self.first(node, path)
        if found is None or found.text is None:
            return ""
        return " ".join(found.text.split())[:MAX_TEXT]

    def texts(self, node: Any, path: str) -> list[str]:
        return [" ".join((n.text or "").split())[:MAX_TEXT] for n in self.all(node, path)]


def _refused(message: str) -> ServiceError:
    return ServiceError(message, code="camt")


def _root(data: bytes) -> Any:
    if len(data) > MAX_BYTES:
        raise _refused(
            _("The file is too large (at most %(limit)s MiB).") % {"limit": MAX_BYTES // 2**20}
        )
    problem = prolog_problem(data)
    if problem is not None:
        if "DOCTYPE" in problem or "Deklaration" in problem:
            raise _refused(
                _(
                    "The file was refused unread: DOCTYPE and other markup declarations are "
                    "not allowed."
                )
            )
        raise _refused(_("The file is not XML."))
    try:
        root = etree.fromstring(data, hardened_parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        raise _refused(
            _("The file is not well-formed XML (line %(line)s, column %(column)s).")
            % {"line": line, "column": column}
        ) from None
    if root.getroottree().docinfo.doctype:  # defence in depth; the prolog scan refused it
        raise _refused(_("The file was refused unread: DOCTYPE is not allowed."))
    return root


def _amount(reader: _Reader, node: Any, path: str) -> tuple[Decimal, str] | None:
    found = reader.first(node, path)
    if found is None or not (found.text or "").strip():
        return None
    try:
        value = Decimal(found.text.strip())
    except InvalidOperation:
        raise _refused(_("An amount in the statement is not a number.")) from None
    if not value.is_finite() or value < 0 or value > Decimal("999999999999.99"):
        raise _refused(_("An amount in the statement is out of range."))
    return value, (found.get("Ccy") or "").strip().upper()[:3]


def _booking_date(reader: _Reader, entry: Any) -> date | None:
    raw = reader.text(entry, "c:BookgDt/c:Dt") or reader.text(entry, "c:BookgDt/c:DtTm")[:10]
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _is_booked(reader: _Reader, entry: Any) -> bool:
    status = reader.text(entry, "c:Sts/c:Cd") or reader.text(entry, "c:Sts")
    return status in ("", "BOOK")


def _party(reader: _Reader, tx: Any) -> str:
    return reader.text(tx, "c:RltdPties/c:Dbtr/c:Pty/c:Nm") or reader.text(
        tx, "c:RltdPties/c:Dbtr/c:Nm"
    )


def _fallback_reference(statement_id: str, index: str, betrag: Decimal, text: str) -> str:
    digest = hashlib.sha256(f"{statement_id}|{index}|{betrag}|{text}".encode()).hexdigest()
    return f"sha256:{digest[:48]}"


def _credits_of_entry(
    reader: _Reader, entry: Any, statement_id: str, position: int
) -> list[Gutschrift]:
    if reader.text(entry, "c:CdtDbtInd") != "CRDT":
        return []
    if reader.text(entry, "c:RvslInd").lower() == "true" or not _is_booked(reader, entry):
        return []
    entry_amount = _amount(reader, entry, "c:Amt")
    if entry_amount is None:
        raise _refused(_("A statement entry has no amount."))
    entry_ref = reader.text(entry, "c:AcctSvcrRef") or reader.text(entry, "c:NtryRef")
    booked = _booking_date(reader, entry)
    transactions = reader.all(entry, "c:NtryDtls/c:TxDtls")
    if not transactions:
        transactions = [None]
    credits = []
    for index, tx in enumerate(transactions):
        node = tx if tx is not None else entry
        amount = entry_amount
        if tx is not None and len(transactions) > 1:
            amount = (
                _amount(reader, tx, "c:Amt")
                or _amount(reader, tx, "c:AmtDtls/c:TxAmt/c:Amt")
                or entry_amount
            )
        ustrd = " ".join(reader.texts(node, "c:RmtInf/c:Ustrd"))[:MAX_TEXT]
        refs = tuple(
            reader.texts(node, "c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref")
            + reader.texts(node, "c:RmtInf/c:Strd/c:AddtlRmtInf")
        )
        tx_ref = reader.text(node, "c:Refs/c:AcctSvcrRef") if tx is not None else ""
        if tx_ref and len(transactions) > 1:
            referenz = tx_ref
        elif entry_ref:
            referenz = entry_ref if len(transactions) == 1 else f"{entry_ref}/{index + 1}"
        else:
            referenz = tx_ref or _fallback_reference(
                statement_id, f"{position}.{index}", amount[0], ustrd
            )
        credits.append(
            Gutschrift(
                referenz=referenz[:140],
                betrag=amount[0],
                waehrung=amount[1],
                buchungstag=booked,
                verwendungszweck=ustrd,
                referenzen=refs,
                auftraggeber=_party(reader, node) if tx is not None else "",
            )
        )
    return credits


def parse_camt053(data: bytes) -> Kontoauszug:
    """The account and its credits from a CAMT.053 file, or a ServiceError saying why not."""
    root = _root(data)
    namespace = etree.QName(root).namespace or ""
    if not namespace.startswith(NAMESPACE_PREFIX) or etree.QName(root).localname != "Document":
        raise _refused(_("This is not a CAMT.053 bank statement."))
    reader = _Reader(namespace)
    statements = reader.all(root, "c:BkToCstmrStmt/c:Stmt")
    if not statements:
        raise _refused(_("The bank statement holds no statement."))
    ibans = {reader.text(stmt, "c:Acct/c:Id/c:IBAN").replace(" ", "") for stmt in statements}
    if len(ibans) != 1:
        raise _refused(_("The file holds statements of more than one account."))
    credits: list[Gutschrift] = []
    for stmt in statements:
        statement_id = reader.text(stmt, "c:Id")
        for position, entry in enumerate(reader.all(stmt, "c:Ntry")):
            credits.extend(_credits_of_entry(reader, entry, statement_id, position))
    return Kontoauszug(iban=ibans.pop().upper(), gutschriften=credits)
