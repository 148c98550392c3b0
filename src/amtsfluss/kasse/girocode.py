"""GiroCode (EPC QR code, version 002, UTF-8) for paying a Forderung by banking app.

The payload lists: service tag ``BCD``, version ``002``, character set ``1`` (UTF-8),
``SCT``, BIC, the receiving account's name and IBAN, ``EUR`` and the amount, no purpose code,
no structured reference and the Kassenzeichen as remittance text (so a payment made from the
code is matched by the CAMT.053 import). segno draws the code (error correction M, at most
version 13, as the EPC standard demands).
"""

from __future__ import annotations

import io
import re

import segno
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from segno import helpers as segno_helpers

from amtsfluss.kasse.models import Empfaenger, Forderung
from amtsfluss.kasse.services.forderung import empfaenger_of

MAX_PAYLOAD_BYTES = 331
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


def remittance_text(forderung: Forderung) -> str:
    """The Kassenzeichen first, then as much of the purpose as fits in 140 characters."""
    text = f"{forderung.kassenzeichen} {forderung.zweck}"
    return text[:140].rstrip()


def _amount(forderung: Forderung) -> str:
    """``EUR`` and the amount with a point, no trailing zeros (``EUR12``, ``EUR12.5``)."""
    return f"EUR{forderung.betrag:.2f}".rstrip("0").rstrip(".")


def _fields(forderung: Forderung, empfaenger: Empfaenger) -> list[str]:
    return [
        "BCD",
        "002",
        "1",
        "SCT",
        empfaenger.bic,
        empfaenger.name[:70],
        empfaenger.iban,
        _amount(forderung),
        "",
        "",
        remittance_text(forderung),
    ]


def epc_payload(forderung: Forderung) -> str:
    """The EPC QR payload of ``forderung`` (lines joined by LF)."""
    payload = "\n".join(_fields(forderung, empfaenger_of(forderung.mandant)))
    if len(payload.encode()) > MAX_PAYLOAD_BYTES:  # pragma: no cover - fields are bounded
        raise ValueError("EPC payload above 331 bytes")
    return payload


def girocode_qr(forderung: Forderung) -> segno.QRCode:
    """The GiroCode drawn by segno's EPC helper (UTF-8, error correction M)."""
    empfaenger = empfaenger_of(forderung.mandant)
    return segno_helpers.make_epc_qr(
        name=empfaenger.name[:70],
        iban=empfaenger.iban,
        amount=forderung.betrag,
        text=remittance_text(forderung),
        bic=empfaenger.bic or None,
        encoding="utf-8",
    )


def girocode_svg(forderung: Forderung) -> str:
    """The GiroCode as inline SVG with a text alternative (``role="img"``, ``<title>``), no
    XML declaration and no external references: safe in HTML and in WeasyPrint."""
    buffer = io.BytesIO()
    girocode_qr(forderung).save(
        buffer, kind="svg", scale=4, border=4, xmldecl=False, svgns=True, nl=False, light="#fff"
    )
    svg = buffer.getvalue().decode()
    label = escape(
        _("GiroCode to pay %(betrag)s euro under Kassenzeichen %(kassenzeichen)s")
        % {
            "betrag": number_format(forderung.betrag, 2, use_l10n=True),
            "kassenzeichen": forderung.kassenzeichen,
        }
    )
    opening = _SVG_OPEN.search(svg)
    if opening is None:  # pragma: no cover - segno always writes one
        raise ValueError("segno wrote no <svg> element")
    tag = opening.group(0)
    new_tag = tag[:-1] + f' role="img" aria-labelledby="girocode-{forderung.pk}" focusable="false">'
    return (
        svg[: opening.start()]
        + new_tag
        + f'<title id="girocode-{forderung.pk}">{label}</title>'
        + svg[opening.end() :]
    )
