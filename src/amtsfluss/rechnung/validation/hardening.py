"""Checks on untrusted bytes before any XML parser sees them, and the hardened lxml parser."""

from __future__ import annotations

import codecs
import re

from lxml import etree  # type: ignore[import-untyped]

MAX_BYTES = 50 * 1024 * 1024
"""Largest e-invoice accepted (50 MiB); larger files are refused unread."""

_PROLOG_LIMIT = 64 * 1024
_NAME_START = re.compile(r"[A-Za-z_:\u00c0-\uffff]")


def hardened_parser() -> etree.XMLParser:
    """An lxml parser that never resolves entities, loads DTDs or touches the network."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
    )


def _decode_prolog(head: bytes) -> str:
    """Decode the first bytes well enough to scan the prolog (UTF-8/16/32 by BOM or zeros)."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, errors="replace")
    if head[:4] == b"\x00\x00\x00<":
        return head.decode("utf-32-be", errors="replace")
    if head[:4] == b"<\x00\x00\x00":
        return head.decode("utf-32-le", errors="replace")
    if head[:2] == b"\x00<":
        return head.decode("utf-16-be", errors="replace")
    if head[:2] == b"<\x00":
        return head.decode("utf-16-le", errors="replace")
    # UTF-8 and all ASCII-compatible single-byte encodings: markup is ASCII.
    return head.decode("latin-1")


def prolog_problem(data: bytes) -> str | None:
    """Why the prolog is refused, or None when it holds only XML declaration, PIs, comments.

    Anything starting with ``<!`` before the root element other than a comment — above all
    ``<!DOCTYPE`` — is refused: DTDs enable external entities (XXE) and entity expansion
    (billion laughs). The scan stops at the root element; a root not found within the first
    64 KiB is refused as well.
    """
    text = _decode_prolog(data[:_PROLOG_LIMIT])
    pos = 0
    length = len(text)
    while True:
        while pos < length and text[pos] in " \t\r\n":
            pos += 1
        if pos >= length:
            return "Kein Wurzelelement in den ersten 64 KiB gefunden."
        if text.startswith("<?", pos):
            end = text.find("?>", pos + 2)
            if end < 0:
                return "Unvollständige Verarbeitungsanweisung vor dem Wurzelelement."
            pos = end + 2
            continue
        if text.startswith("<!--", pos):
            end = text.find("-->", pos + 4)
            if end < 0:
                return "Unvollständiger Kommentar vor dem Wurzelelement."
            pos = end + 3
            continue
        if text.startswith("<!", pos):
            if text[pos : pos + 9].upper() == "<!DOCTYPE":
                return (
                    "DOCTYPE-Deklarationen sind nicht erlaubt "
                    "(Schutz vor XXE und Entity-Expansion)."
                )
            return "Unerlaubte Markup-Deklaration vor dem Wurzelelement."
        if text.startswith("<", pos) and pos + 1 < length and _NAME_START.match(text[pos + 1]):
            return None
        return "Die Datei beginnt nicht mit XML-Markup."
