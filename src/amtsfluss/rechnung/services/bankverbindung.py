"""IBAN and BIC checked with schwifty (checksum, country format, bank registry)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from amtsfluss.core.errors import ServiceError


def clean_iban(value: str) -> str:
    """The IBAN in compact form, or a ServiceError naming it."""
    try:
        return str(IBAN(value).compact)
    except (SchwiftyException, ValueError):
        raise ServiceError(_("%s is not a valid IBAN.") % value, code="iban") from None


def clean_bic(value: str) -> str:
    """The BIC in compact form ("" stays ""), or a ServiceError naming it."""
    if not value.strip():
        return ""
    try:
        return str(BIC(value).compact)
    except (SchwiftyException, ValueError):
        raise ServiceError(_("%s is not a valid BIC.") % value, code="bic") from None


def bic_for(iban: str) -> str:
    """The BIC of a (valid) IBAN's bank from the registry, "" when unknown."""
    bic = IBAN(iban).bic
    return str(bic.compact) if bic is not None else ""
