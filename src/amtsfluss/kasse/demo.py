"""Kasse demo data for Musterstadt: the Stadtkasse's receiving account.

Importing this module appends ``create_kasse_demo`` to ``amtsfluss.core.demo.DEMO_STEPS``.
The IBAN is the widely published German test IBAN (valid checksum, Commerzbank's bank code):
money sent to it from the demo would reach nobody of ours.
"""

from __future__ import annotations

from amtsfluss.core.demo import DEMO_STEPS
from amtsfluss.core.models import Mandant, User
from amtsfluss.kasse.services.empfaenger import empfaenger_set

DEMO_EMPFAENGER = "Stadtkasse Musterstadt"
DEMO_IBAN = "DE89370400440532013000"
DEMO_BIC = "COBADEFFXXX"
DEMO_PRAEFIX = "MS"


def create_kasse_demo(mandant: Mandant, users: dict[str, User]) -> None:
    empfaenger_set(
        mandant=mandant,
        name=DEMO_EMPFAENGER,
        iban=DEMO_IBAN,
        bic=DEMO_BIC,
        praefix=DEMO_PRAEFIX,
        by=None,
    )


if create_kasse_demo not in DEMO_STEPS:
    DEMO_STEPS.insert(0, create_kasse_demo)  # needs only the Mandant; Bescheide use it
