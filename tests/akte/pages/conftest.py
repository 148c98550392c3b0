"""Fixtures of the E-Akte page tests: a filled case file in the Akten of ``tests/akte``.

``fill(akten, akte)`` puts into an Akte what its pages show: a Vorgang assigned to the clerk
with today's deadline, a PDF Dokument and a plain-text Dokument, a Wiedervorlage due today, a
Beteiligung and a Beteiligte:r.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from amtsfluss.akte.models import (
    Akte,
    Beteiligter,
    Beteiligung,
    Dokument,
    Dokumentversion,
    Person,
    Vorgang,
    Wiedervorlage,
)
from amtsfluss.akte.services.akte import beteiligter_add, beteiligung_grant
from amtsfluss.akte.services.dokument import dokument_create
from amtsfluss.akte.services.vorgang import vorgang_create
from amtsfluss.akte.services.wiedervorlage import wiedervorlage_create
from amtsfluss.core.models import User
from amtsfluss.core.text_pdf import text_pdf
from tests.akte.conftest import AkteWorld, as_
from tests.conftest import client_for

A_HOST = "a.test"
B_HOST = "b.test"
PDF = text_pdf(["Gewerbeanmeldung", "Baeckerei Korn GmbH"])


def german(message: str, *args: object, **params: object) -> str:
    """``message`` as the German pages show it (whatever the compiled catalogue holds)."""
    with translation.override("de"):
        text = gettext(message)
    if params:
        return text % params
    return text % args if args else text


@pytest.fixture(autouse=True)
def _english() -> None:
    """The pages are tested as people see them: in German (overrides tests/akte's English)."""


@dataclass
class Case:
    akte: Akte
    vorgang: Vorgang
    pdf_dokument: Dokument
    pdf: Dokumentversion
    text_dokument: Dokument
    text: Dokumentversion
    wiedervorlage: Wiedervorlage
    beteiligung: Beteiligung
    beteiligter: Beteiligter

    def markers(self) -> list[str]:
        """Pieces of the case that must not reach anybody who may not see it."""
        return [
            self.akte.aktenzeichen,
            self.akte.titel,
            self.vorgang.betreff,
            self.pdf_dokument.titel,
            self.text_dokument.titel,
            self.wiedervorlage.notiz,
            "Mustermann",
        ]


def fill(
    akten: AkteWorld,
    akte: Akte,
    *,
    by: User | None = None,
    grantee: User | None = None,
    tag: str = "",
) -> Case:
    w = akten.w
    author = by or w.clerk
    principal = as_(author)
    tag = tag or akte.titel
    vorgang = vorgang_create(
        principal=principal,
        akte=akte,
        betreff=f"Gewerbeanmeldung {tag}",
        bearbeiter=author,
        frist=timezone.localdate(),
    )
    pdf_dokument = dokument_create(
        principal=principal,
        vorgang=vorgang,
        titel=f"Antrag {tag}",
        dokumentdatum=date(2026, 3, 1),
        richtung="eingang",
        dokumenttyp="antrag",
        content=io.BytesIO(PDF),
        dateiname="Antrag Bäckerei.pdf",
        media_type="application/pdf",
    )
    text_dokument = dokument_create(
        principal=principal,
        vorgang=vorgang,
        titel=f"Vermerk {tag}",
        dokumentdatum=date(2026, 3, 2),
        richtung="intern",
        dokumenttyp="vermerk",
        content=io.BytesIO(f"Vermerk zu {tag}".encode()),
        dateiname="vermerk.txt",
        media_type="text/plain",
    )
    wiedervorlage = wiedervorlage_create(
        principal=principal,
        vorgang=vorgang,
        faellig_am=timezone.localdate(),
        notiz=f"Unterlagen prüfen {tag}",
    )
    beteiligung = beteiligung_grant(principal=principal, akte=akte, user=grantee or w.head)
    person = Person.objects.create(
        mandant=akte.mandant, art="natuerlich", name="Mustermann", vorname="Erika"
    )
    beteiligter = beteiligter_add(
        principal=principal, akte=akte, person=person, rolle="Antragstellerin"
    )
    return Case(
        akte=akte,
        vorgang=vorgang,
        pdf_dokument=pdf_dokument,
        pdf=pdf_dokument.versionen.get(),
        text_dokument=text_dokument,
        text=text_dokument.versionen.get(),
        wiedervorlage=wiedervorlage,
        beteiligung=beteiligung,
        beteiligter=beteiligter,
    )


@pytest.fixture
def case(akten: AkteWorld) -> Case:
    """The open Akte of 32.1, filled by the clerk."""
    return fill(akten, akten.offen_32_1)


@pytest.fixture
def clerk(akten: AkteWorld) -> Client:
    return client_for(akten.w.clerk, A_HOST)
