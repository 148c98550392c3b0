"""Names for the code lists an invoice uses, for people (unknown codes are shown as they are)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# UNTDID 1001 (BT-3), the codes XRechnung allows.
TYPE_CODES: dict[str, Promise] = {
    "326": _("Partial invoice"),
    "380": _("Invoice"),
    "381": _("Credit note"),
    "384": _("Corrected invoice"),
    "389": _("Self-billed invoice"),
    "875": _("Partial construction invoice"),
    "876": _("Partial final construction invoice"),
    "877": _("Final construction invoice"),
}

# UNTDID 4461 (BT-81), the common ones.
PAYMENT_MEANS: dict[str, Promise] = {
    "1": _("Not defined"),
    "10": _("Cash"),
    "30": _("Credit transfer"),
    "42": _("Payment to bank account"),
    "48": _("Bank card"),
    "49": _("Direct debit"),
    "54": _("Credit card"),
    "57": _("Standing agreement"),
    "58": _("SEPA credit transfer"),
    "59": _("SEPA direct debit"),
    "97": _("Clearing between partners"),
}

# UNCL 5305 (BT-118, BT-151).
TAX_CATEGORIES: dict[str, Promise] = {
    "S": _("Standard rate"),
    "Z": _("Zero rated goods"),
    "E": _("Exempt from tax"),
    "AE": _("Reverse charge"),
    "K": _("Intra-community supply"),
    "G": _("Export outside the EU"),
    "O": _("Not subject to VAT"),
    "L": _("Canary Islands general indirect tax"),
    "M": _("Tax for production, services and importation in Ceuta and Melilla"),
}

# UN/ECE Recommendation 20 (BT-130), the units seen most on German public-sector invoices.
UNITS: dict[str, Promise | str] = {  # symbols need no translation
    "C62": _("piece"),
    "H87": _("piece"),
    "XPP": _("piece"),
    "EA": _("piece"),
    "LS": _("lump sum"),
    "SET": _("set"),
    "HUR": _("hours"),
    "MIN": _("minutes"),
    "DAY": _("days"),
    "WEE": _("weeks"),
    "MON": _("months"),
    "ANN": _("years"),
    "MTR": "m",
    "MTK": "m²",
    "MTQ": "m³",
    "KMT": "km",
    "KGM": "kg",
    "TNE": "t",
    "LTR": "l",
    "KWH": "kWh",
}


def label(codes: Mapping[str, Promise | str], code: str) -> Promise | str:
    """The name of ``code`` (translated when rendered), or the code when the list lacks it."""
    return codes.get(code, code)
