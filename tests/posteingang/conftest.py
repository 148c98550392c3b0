"""Posteingang fixtures: the ``world`` of tests/conftest.py, an Aktenplan position for the
"Posteingang <year>" Akten, and helpers to receive files and run the pipeline in-process."""

from __future__ import annotations

import shutil
from dataclasses import dataclass

import pytest

from amtsfluss.akte.models import Aktenplanposition
from amtsfluss.akte.services.aktenplan import position_create
from amtsfluss.core.models import Organisationseinheit
from amtsfluss.posteingang import pipeline
from amtsfluss.posteingang.models import Eingang, Sendung
from amtsfluss.posteingang.services.ablage import posteingang_position_set
from amtsfluss.posteingang.services.eingang import Datei, eingang_receive
from amtsfluss.posteingang.services.text import search_text_model
from tests.conftest import World

TOOLS = ("tesseract", "gs", "soffice")


@pytest.fixture(scope="session", autouse=True)
def _tools_present() -> None:
    """The pipeline needs real tools; a missing one is a loud failure, never a skip."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(
            f"missing tools {missing}: run `scripts/debian-packages run` as root",
            pytrace=False,
        )


def text_of(eingang: Eingang) -> str:
    """The text kept for the search: in ``suche.Dokumenttext`` when that app is installed."""
    model = search_text_model()
    if model is None:
        return eingang.text
    found = model._default_manager.get(dokumentversion=eingang.dokumentversion)
    return str(found.text)  # type: ignore[attr-defined]


@dataclass
class Post:
    w: World
    position: Aktenplanposition
    unit: Organisationseinheit  # 32.1, the clerk's unit

    def receive(self, *files: tuple[str, bytes], **options: object) -> Sendung:
        return eingang_receive(
            mandant=self.w.a,
            unit=options.pop("unit", self.unit),  # type: ignore[arg-type]
            files=[Datei(name, data) for name, data in files],
            channel=options.pop("channel", "api"),  # type: ignore[arg-type]
            provenance=options.pop("provenance", {"test": "yes"}),  # type: ignore[arg-type]
            **options,  # type: ignore[arg-type]
        )

    def process(self, sendung: Sendung) -> list[Eingang]:
        eingaenge = list(sendung.eingaenge.order_by("position"))
        for eingang in eingaenge:
            pipeline.process(eingang.pk)
        return list(sendung.eingaenge.order_by("position"))


@pytest.fixture
def post(world: World, english: None) -> Post:
    position_create(  # the parent of 00.10
        mandant=world.a,
        kennzeichen="00",
        titel="Verwaltung",
        aufbewahrung_jahre=None,
        archivwuerdigkeit="",
        federfuehrende_oe=world.units["32"],
        by=None,
    )
    leaf = position_create(
        mandant=world.a,
        kennzeichen="00.10",
        titel="Posteingang",
        aufbewahrung_jahre=5,
        archivwuerdigkeit="B",
        federfuehrende_oe=world.units["32"],
        by=None,
    )
    posteingang_position_set(mandant=world.a, position_id=leaf.pk)
    return Post(w=world, position=leaf, unit=world.units["32.1"])


# The real Dovecot of the intake tests, for the mail path.
from tests.intake.conftest import dovecot, dovecot_server  # noqa: E402, F401
