"""The demo: both templates are loaded, and the demo Amtsleitung signs the Standesamt's
Bescheid over a Geburtsurkunde drafted by the demo Standesamt clerk (the issue's walkthrough)."""

from __future__ import annotations

import pytest

from amtsfluss.akte.models import Aktenplanposition, Vertraulichkeit
from amtsfluss.akte.services.akte import check_akte_create
from amtsfluss.akte.services.vorgang import vorgang_create
from amtsfluss.bescheid.models import BescheidStatus, BescheidVorlage
from amtsfluss.bescheid.selectors import signers_for
from amtsfluss.bescheid.services.bescheid import (
    bescheid_create,
    bescheid_request_signature,
    bescheid_sign,
)
from amtsfluss.core.demo import create_demo
from amtsfluss.core.models import Organisationseinheit, User
from amtsfluss.core.permissions import Principal
from amtsfluss.dienste.models import Leistung
from amtsfluss.siegel.services import demo_siegel_create
from tests.bescheid.conftest import antrag_create
from tests.bescheid.test_vorlagen import URKUNDE_DATEN
from tests.dienste.conftest import GEWERBE, URKUNDE

pytestmark = pytest.mark.django_db


def test_demo_amtsleitung_signs_the_standesamts_bescheid() -> None:
    mandant = create_demo(hosts=["demo.test"])
    demo_siegel_create(mandant=mandant)
    assert set(
        BescheidVorlage.objects.filter(mandant=mandant).values_list(
            "leistung__leika_schluessel", flat=True
        )
    ) == {URKUNDE, GEWERBE}
    standesamt = User.objects.get(username="standesamt")
    leitung = User.objects.get(username="amtsleitung")
    urkunde = Leistung.objects.get(mandant=mandant, leika_schluessel=URKUNDE)
    akte = check_akte_create(
        principal=Principal.for_user(standesamt),
        position=Aktenplanposition.objects.get(mandant=mandant, kennzeichen="1.6.5"),
        titel="Urkundenbestellungen",
        federfuehrende_oe=Organisationseinheit.objects.get(mandant=mandant, code="34"),
        vertraulichkeit=Vertraulichkeit.OFFEN,
    )
    vorgang = vorgang_create(
        principal=Principal.for_user(standesamt), akte=akte, betreff="Geburtsurkunde"
    )
    antrag_create(vorgang, urkunde, URKUNDE_DATEN)
    assert list(signers_for(vorgang=vorgang)) == [leitung]
    bescheid = bescheid_create(
        principal=Principal.for_user(standesamt), vorgang=vorgang, leistung=urkunde
    )
    bescheid_request_signature(
        principal=Principal.for_user(standesamt), bescheid=bescheid, signer=leitung
    )
    signed = bescheid_sign(principal=Principal.for_user(leitung), bescheid=bescheid)
    assert signed.status == BescheidStatus.ZUGESTELLT
