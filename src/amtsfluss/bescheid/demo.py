"""Bescheid demo data for Musterstadt: the templates of the two demo services.

Importing this module appends ``create_bescheid_demo`` to ``amtsfluss.core.demo.DEMO_STEPS``
right after the online services' step (whose Leistungen the templates belong to). The demo
Amtsleitung (``amtsleitung``, Ordnungsamt 32) is also made Amtsleitung of the Standesamt 34, so
that a newcomer can sign the Geburtsurkunde's Bescheid as the issue's walkthrough says.
"""

from __future__ import annotations

from importlib import resources

from amtsfluss.bescheid.services.vorlage_io import vorlagen_import
from amtsfluss.core.demo import DEMO_STEPS
from amtsfluss.core.models import Mandant, Organisationseinheit, Role, User
from amtsfluss.core.services.organisation import membership_grant
from amtsfluss.dienste import demo as dienste_demo

VORLAGEN_FILE = "vorlagen_musterstadt.json"
STANDESAMT = "34"


def vorlagen_bytes() -> bytes:
    return resources.files("amtsfluss.bescheid.data").joinpath(VORLAGEN_FILE).read_bytes()


def create_bescheid_demo(mandant: Mandant, users: dict[str, User]) -> None:
    vorlagen_import(mandant=mandant, data=vorlagen_bytes(), by=users.get("fachadministration"))
    leitung = users.get("amtsleitung")
    standesamt = Organisationseinheit.objects.filter(mandant=mandant, code=STANDESAMT).first()
    if leitung is not None and standesamt is not None:
        membership_grant(user=leitung, unit=standesamt, role=Role.AMTSLEITUNG, by=None)


if create_bescheid_demo not in DEMO_STEPS:
    DEMO_STEPS.insert(DEMO_STEPS.index(dienste_demo.create_dienste_demo) + 1, create_bescheid_demo)
