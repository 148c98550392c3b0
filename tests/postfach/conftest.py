"""Postfach fixtures: a Vorgang in each open Akte of ``tests/akte`` (32.1 and 32.2), a PDF
Dokument in the 32.1 Vorgang, and helpers to run the worker (mails, the Posteingang pipeline)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.utils import timezone

from amtsfluss.akte.models import Dokument, Vorgang
from amtsfluss.akte.services.dokument import dokument_create
from amtsfluss.akte.services.vorgang import vorgang_create
from amtsfluss.core.models import User
from amtsfluss.core.text_pdf import text_pdf
from tests.akte.conftest import AkteWorld, akten, as_  # noqa: F401 (fixture)

APPLICANT = "antragstellerin@example.org"
SECRET = "Bitte reichen Sie den Meisterbrief nach"
PDF = text_pdf(["Bescheid", "Gewerbeanmeldung Baeckerei Korn"])


@dataclass
class Box:
    akten: AkteWorld
    vorgang: Vorgang  # in offen_32_1 (clerk's unit)
    other: Vorgang  # in offen_32_2 (other_clerk's unit)
    bescheid: Dokument  # a Dokument of ``vorgang``


def run_worker() -> None:
    call_command("worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)


def make_vorgang(aw: AkteWorld, akte_name: str, user_name: str, unit: str) -> Vorgang:
    user = getattr(aw.w, user_name)
    return vorgang_create(
        principal=as_(user),
        akte=getattr(aw, akte_name),
        betreff=f"Gewerbeanmeldung {unit}",
        eingangsdatum=timezone.localdate(),
        bearbeitende_oe=aw.w.units[unit],
        bearbeiter=user,
    )


def make_dokument(user: User, vorgang: Vorgang, titel: str) -> Dokument:
    return dokument_create(
        principal=as_(user),
        vorgang=vorgang,
        titel=titel,
        dokumentdatum=timezone.localdate(),
        richtung="ausgang",
        dokumenttyp="bescheid",
        content=io.BytesIO(PDF),
        dateiname=f"{titel}.pdf",
        media_type="application/pdf",
    )


@pytest.fixture
def box(akten: AkteWorld) -> Box:  # noqa: F811 (the fixture imported above)
    vorgang = make_vorgang(akten, "offen_32_1", "clerk", "32.1")
    other = make_vorgang(akten, "offen_32_2", "other_clerk", "32.2")
    bescheid = make_dokument(akten.w.clerk, vorgang, "Bescheid")
    return Box(akten=akten, vorgang=vorgang, other=other, bescheid=bescheid)
