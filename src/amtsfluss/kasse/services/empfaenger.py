"""The Mandant's receiving account for fees (IBAN and BIC checked with schwifty)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from amtsfluss.core import audit
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import Mandant, User
from amtsfluss.kasse.kassenzeichen import PRAEFIX_PATTERN
from amtsfluss.kasse.models import Empfaenger
from amtsfluss.rechnung.services.bankverbindung import bic_for, clean_bic, clean_iban


def empfaenger_set(
    *,
    mandant: Mandant,
    name: str,
    iban: str,
    bic: str = "",
    praefix: str = "KZ",
    by: User | None = None,
) -> Empfaenger:
    """Create or replace the Mandant's receiving account; the BIC defaults to the bank's."""
    name = name.strip()
    if not 0 < len(name) <= 70:
        raise ServiceError(_("The account holder's name must have 1 to 70 characters."))
    iban = clean_iban(iban)
    bic = clean_bic(bic) or bic_for(iban)
    praefix = praefix.strip().upper()
    if not PRAEFIX_PATTERN.fullmatch(praefix):
        raise ServiceError(_("The Kassenzeichen prefix must be one to six letters."))
    with transaction.atomic():
        empfaenger, _created = Empfaenger.objects.update_or_create(
            mandant=mandant,
            defaults={"name": name, "iban": iban, "bic": bic, "kassenzeichen_praefix": praefix},
        )
        audit.record(
            mandant=mandant,
            actor=by,
            action="kasse.empfaenger.set",
            object_type="kasse.empfaenger",
            object_id=str(empfaenger.pk),
            details={"iban": iban, "bic": bic, "praefix": praefix},
        )
    return empfaenger
