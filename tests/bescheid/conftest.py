"""Bescheid fixtures on top of the online-service catalogue (``tests/dienste/conftest.py``).

Mandant A: a demo seal (``siegel``), the Kasse's receiving account; the demo Leistungen with
the demo Bescheid templates; an open Akte of 32.1 at the Gewerbeanzeigen position with a
Vorgang that is a submitted Gewerbeanmeldung (a real Antrag row with the entries as the draft
held them), and a Vorgang of 32.2 (other unit). ``head`` (Amtsleitung 32) signs; ``head2`` is
a second Amtsleitung of 32.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from amtsfluss.akte.models import Akte, Vertraulichkeit, Vorgang
from amtsfluss.akte.services.akte import check_akte_create
from amtsfluss.akte.services.aktenplan import position_create
from amtsfluss.akte.services.vorgang import vorgang_create
from amtsfluss.bescheid.demo import vorlagen_bytes
from amtsfluss.bescheid.services.vorlage_io import vorlagen_import
from amtsfluss.core.models import Role, User
from amtsfluss.core.permissions import Principal
from amtsfluss.dienste.models import Antrag, Formularversion, Leistung
from amtsfluss.kasse.models import Forderung
from amtsfluss.kasse.services.empfaenger import empfaenger_set
from amtsfluss.kasse.services.forderung import forderung_create
from amtsfluss.siegel.services import demo_siegel_create
from tests.conftest import World, make_user
from tests.dienste.conftest import GEWERBE, URKUNDE, Katalog
from tests.dienste.conftest import demo as demo
from tests.dienste.conftest import katalog as katalog

#: Entries of a Gewerbeanmeldung as the draft holds them (text per input name)
GEWERBE_DATEN = {
    "rechtsform": "einzelunternehmen",
    "nachname": "Mustermann",
    "vornamen": "Erika",
    "geschlecht": "weiblich",
    "geburtsdatum": "12.08.1964",
    "geburtsort": "Köln, Deutschland",
    "staatsangehoerigkeit": "deutsch",
    "wohnanschrift-strasse": "Heidestraße 17",
    "wohnanschrift-plz": "51147",
    "wohnanschrift-ort": "Köln",
    "email": "erika@example.org",
    "betriebsanschrift-strasse": "Marktplatz 3",
    "betriebsanschrift-plz": "12345",
    "betriebsanschrift-ort": "Musterstadt",
    "taetigkeit": "Einzelhandel mit Büchern <script>alert(1)</script>",
    "art": "handel",
    "beginn": "01.12.2026",
    "anlass": "neugruendung",
    "nebenerwerb": "nein",
    "vollzeit": "1",
    "teilzeit": "0",
    "erlaubnis": "nein",
}


def as_(user: User) -> Principal:
    return Principal.for_user(user)


@dataclass
class BescheidWorld:
    w: World
    katalog: Katalog
    leistungen: dict[str, Leistung]
    akte: Akte
    vorgang: Vorgang
    antrag: Antrag
    other_vorgang: Vorgang
    head2: User

    @property
    def gewerbe(self) -> Leistung:
        return self.leistungen[GEWERBE]

    @property
    def urkunde(self) -> Leistung:
        return self.leistungen[URKUNDE]


def fee_claimed(vorgang: Vorgang) -> Forderung:
    """The fee of the Vorgang as a Forderung of the Kasse, claimed before the Bescheid."""
    forderung, _token = forderung_create(
        mandant=vorgang.mandant,
        betrag=Decimal("26.00"),
        zweck="Gewerbeanmeldung",
        vorgang=vorgang,
        faellig_am=timezone.localdate() + timedelta(days=30),
    )
    return forderung


def antrag_create(vorgang: Vorgang, leistung: Leistung, daten: dict[str, str]) -> Antrag:
    """A submitted Antrag row (A1's submission builds the same from a draft)."""
    version = Formularversion.objects.filter(formular__leistung=leistung).latest("nummer")
    return Antrag.objects.create(
        mandant=vorgang.mandant,
        leistung=leistung,
        formularversion=version,
        vorgang=vorgang,
        daten=daten,
        wiederholungen={},
        eingereicht_am=timezone.now(),
        antragsteller_email=daten.get("email", ""),
        antragsteller_name=f"{daten.get('vornamen', '')} {daten.get('nachname', '')}".strip(),
        gebuehr="26.00",
        token_hash=hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
        einreichung_hash=hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
    )


@pytest.fixture
def bw(katalog: Katalog, demo: dict[str, Leistung]) -> BescheidWorld:
    w = katalog.w
    vorlagen_import(mandant=w.a, data=vorlagen_bytes(), by=None)
    akte = check_akte_create(
        principal=as_(w.clerk),
        position=katalog.positions["1.2.1"],
        titel="Gewerbeanzeigen 2026",
        federfuehrende_oe=w.units["32.1"],
        vertraulichkeit=Vertraulichkeit.OFFEN,
    )
    vorgang = vorgang_create(
        principal=as_(w.clerk), akte=akte, betreff="Gewerbeanmeldung Mustermann"
    )
    verkehr = position_create(
        mandant=w.a,
        kennzeichen="1.2.2",
        titel="Verkehr",
        aufbewahrung_jahre=5,
        federfuehrende_oe=w.units["32.2"],
        by=None,
    )
    other_akte = check_akte_create(
        principal=as_(w.other_clerk),
        position=verkehr,
        titel="Verkehr",
        federfuehrende_oe=w.units["32.2"],
        vertraulichkeit=Vertraulichkeit.OFFEN,
    )
    other = vorgang_create(principal=as_(w.other_clerk), akte=other_akte, betreff="Sondernutzung")
    demo_siegel_create(mandant=w.a)
    empfaenger_set(mandant=w.a, name="Stadtkasse A", iban="DE02120300000000202051", bic="")
    return BescheidWorld(
        w=w,
        katalog=katalog,
        leistungen=demo,
        akte=akte,
        vorgang=vorgang,
        antrag=antrag_create(vorgang, demo[GEWERBE], GEWERBE_DATEN),
        other_vorgang=other,
        head2=make_user(w.a, "head2", w.units["32"], Role.AMTSLEITUNG),
    )
