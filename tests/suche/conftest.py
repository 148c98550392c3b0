"""Search fixtures: the E-Akte world with Dokumente and texts, indexed by the backend under test.

Every test that takes ``backend`` runs once per backend: tantivy and served (the same index
behind ``amtsfluss searchd``, here on a thread) always, postgres when the test database is
PostgreSQL (on SQLite that parameter is skipped — the other run covers it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from amtsfluss.akte.models import Akte, Dokument, Dokumenttyp, Dokumentversion, Richtung, Vorgang
from amtsfluss.core.models import User
from amtsfluss.core.services.blobs import blob_store
from amtsfluss.suche.indexing import reindex
from amtsfluss.suche.models import Dokumenttext, TextSource
from tests.akte.conftest import AkteWorld, akten  # noqa: F401 (fixture)
from tests.suche.searchd_server import TOKEN, searchd_thread

BACKENDS = ["tantivy", "served", "postgres"]


@pytest.fixture(scope="session")
def searchd_url() -> Iterator[str]:
    with searchd_thread() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, settings: Any, tmp_path: Path) -> str:
    name: str = request.param
    if name == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the postgres backend needs PostgreSQL (covered by the PostgreSQL run)")
    settings.SEARCH_BACKEND = name
    settings.SEARCH_DIR = str(tmp_path / "suche")
    if name == "served":
        settings.SEARCH_URL = request.getfixturevalue("searchd_url")
        settings.SEARCH_TOKEN = TOKEN
    return name


def add_dokument(
    akte: Akte,
    titel: str,
    text: str | None,
    *,
    datum: date = date(2026, 3, 1),
    typ: str = Dokumenttyp.SCHREIBEN,
    bearbeiter: User | None = None,
    vorgang: Vorgang | None = None,
) -> Dokument:
    """A Dokument with one current version and (unless None) its extracted text."""
    if vorgang is None:
        vorgang = Vorgang.objects.create(
            mandant=akte.mandant,
            akte=akte,
            betreff=titel,
            eingangsdatum=datum,
            bearbeitende_oe=akte.federfuehrende_oe,
            bearbeiter=bearbeiter,
        )
    dokument = Dokument.objects.create(
        mandant=akte.mandant,
        vorgang=vorgang,
        titel=titel,
        dokumentdatum=datum,
        richtung=Richtung.EINGANG,
        dokumenttyp=typ,
    )
    version = Dokumentversion.objects.create(
        mandant=akte.mandant,
        dokument=dokument,
        nummer=1,
        rendition="original",
        blob=blob_store(mandant=akte.mandant, content=f"{titel}\n{text}".encode()),
        dateiname="scan.pdf",
        media_type="application/pdf",
        created_by=akte.created_by,
    )
    if text is not None:
        Dokumenttext.objects.create(
            mandant=akte.mandant, dokumentversion=version, text=text, source=TextSource.OCR
        )
    return dokument


@dataclass
class Corpus:
    akten: AkteWorld
    bauantrag: Dokument  # offen 32.1
    strasse: Dokument  # offen 32.1
    phrase: Dokument  # offen 32.1
    vertraulich: Dokument  # vertraulich 32.1
    streng: Dokument  # streng vertraulich 32.1
    verkehr: Dokument  # offen 32.2
    mandant_b: Dokument


@pytest.fixture
def corpus(backend: str, akten: AkteWorld) -> Iterator[Corpus]:  # noqa: F811
    from amtsfluss.akte.services.akte import check_akte_create

    a = akten
    b_position = a.positions["10.38.50"].__class__.objects.create(
        mandant=a.w.b, kennzeichen="10", titel="Allgemeines B", federfuehrende_oe=a.w.b_units["32"]
    )
    from amtsfluss.core.permissions import Principal

    b_akte = check_akte_create(
        principal=Principal.for_user(a.w.b_clerk),
        position=b_position,
        titel="B",
        federfuehrende_oe=a.w.b_units["32"],
        vertraulichkeit="offen",
    )
    corpus = Corpus(
        akten=a,
        bauantrag=add_dokument(
            a.offen_32_1,
            "Eingang Bauanträge Musterstraße",
            "Sehr geehrte Damen und Herren, anbei die Bauanträge für das Gebäude.",
            datum=date(2025, 5, 2),
            typ=Dokumenttyp.ANTRAG,
        ),
        strasse=add_dokument(
            a.offen_32_1,
            "Sondernutzung",
            "Die Straße vor dem Haus wird gesperrt. <script>alert(1)</script> Sperrung",
            datum=date(2026, 1, 10),
        ),
        phrase=add_dokument(
            a.offen_32_1,
            "Gewerbeanzeige",
            "Die Anzeige der Firma Huber ist eingegangen; Antrag der Firma folgt.",
            datum=date(2026, 2, 1),
            typ=Dokumenttyp.NACHWEIS,
        ),
        vertraulich=add_dokument(
            a.vertr_32_1, "Personalsache", "Disziplinarverfahren gegen Unbekannt, Gebäude"
        ),
        streng=add_dokument(a.streng_32_1, "Geheimsache", "Streng geheimer Vermerk zum Gebäude"),
        verkehr=add_dokument(
            a.offen_32_2,
            "Verkehrszeichen",
            "Antrag der Verkehrsbehörde zum Gebäude am Markt. Firma Meier, Antrag",
            datum=date(2024, 7, 7),
            typ=Dokumenttyp.ANTRAG,
        ),
        mandant_b=add_dokument(b_akte, "Gebäude in B", "Bauanträge und Gebäude in Gemeinde B"),
    )
    reindex(a.w.a)
    reindex(a.w.b)
    yield corpus
