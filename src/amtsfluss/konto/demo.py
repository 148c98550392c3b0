"""The demo citizen of Musterstadt: a confirmed account with a profile, so that applying with
prefilled details can be tried at once (sign in at /konto/anmelden/ with the demo password)."""

from __future__ import annotations

from amtsfluss.core.demo import DEMO_PASSWORD, DEMO_STEPS
from amtsfluss.core.models import Mandant, User
from amtsfluss.konto.services import buerger_create_confirmed, profil_update

DEMO_EMAIL = "erika.mustermann@example.org"


def create_konto_demo(mandant: Mandant, users: dict[str, User]) -> None:
    del users  # the citizen is nobody's staff
    buerger = buerger_create_confirmed(mandant=mandant, email=DEMO_EMAIL, password=DEMO_PASSWORD)
    profil_update(
        buerger=buerger,
        data={
            "vorname": "Erika",
            "nachname": "Mustermann",
            "strasse": "Heidestraße",
            "hausnummer": "17",
            "zusatz": "",
            "plz": "51147",
            "ort": "Musterstadt",
            "telefon": "0221 123456",
        },
    )


if create_konto_demo not in DEMO_STEPS:
    DEMO_STEPS.append(create_konto_demo)
