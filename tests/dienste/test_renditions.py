"""The PDF renditions of a submission are rendered with no lock held and filed after the
Antrag's commit; a failure leaves a complete Antrag whose renditions the periodic job files."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from pypdf import PdfReader

from amtsfluss.akte.models import Dokument
from amtsfluss.core.services.blobs import blob_open
from amtsfluss.core.text_pdf import text_pdf
from amtsfluss.dienste.models import Antrag, Leistung
from amtsfluss.dienste.services import antrag_dokumente
from amtsfluss.dienste.services.antrag import (
    antraege_renditions_complete,
    antrag_renditions_complete,
    antrag_submit,
)
from amtsfluss.posteingang.services.eingang import Datei
from tests.dienste.test_antrag import A
from tests.dienste.test_einreichung import filled

pytestmark = pytest.mark.django_db

URKUNDE = "99102013104000"


def titles(antrag: Antrag) -> list[str]:
    return sorted(Dokument.objects.filter(vorgang=antrag.vorgang).values_list("titel", flat=True))


def pdf_text(dokument: Dokument) -> str:
    version = dokument.versionen.get(ist_aktuell=True)
    with blob_open(blob=version.blob) as stream:
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(stream.read())).pages)


def test_renditions_are_rendered_outside_any_transaction(
    demo: dict[str, Leistung], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client(HTTP_HOST=A)
    token = filled(client)
    outer = len(connection.atomic_blocks)  # the test's own transaction
    depths: list[int] = []
    render = antrag_dokumente._pdf

    def watching(*args: Any) -> bytes:
        depths.append(len(connection.atomic_blocks) - outer)
        return render(*args)

    monkeypatch.setattr(antrag_dokumente, "_pdf", watching)
    result = antrag_submit(mandant=demo[URKUNDE].mandant, token=token)
    assert depths == [0, 0]  # the application's copy and the Eingangsbestätigung
    assert result.antrag.eingangsbestaetigung_id is not None
    assert titles(result.antrag) == [
        "Antrag",
        "Antrag (Datensatz)",
        "Eingangsbestätigung",
    ]


def test_a_failed_rendition_leaves_a_complete_antrag_and_the_job_files_it_once(
    demo: dict[str, Leistung], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client(HTTP_HOST=A)
    token = filled(client)
    render = antrag_dokumente._pdf

    def broken(*args: Any) -> bytes:
        raise OSError("renderer gone")

    monkeypatch.setattr(antrag_dokumente, "_pdf", broken)
    dateien = [Datei("nachweis.pdf", text_pdf(["Vollmacht"])), Datei("../x/liste.pdf", b"MZ")]
    result = antrag_submit(mandant=demo[URKUNDE].mandant, token=token, dateien=dateien)
    antrag = result.antrag
    assert result.neu and antrag.eingangsbestaetigung_id is None
    assert titles(antrag) == ["Antrag (Datensatz)"]
    status = client.get(f"/dienste/status/{result.token}/")
    assert status.status_code == 200 and antrag.geschaeftszeichen in status.content.decode()
    assert client.get(f"/dienste/status/{result.token}/eingangsbestaetigung.pdf").status_code == 404

    monkeypatch.setattr(antrag_dokumente, "_pdf", render)
    assert antraege_renditions_complete() == 0  # younger than two minutes: its request's turn
    assert antraege_renditions_complete(older_than=timedelta(0)) == 1
    assert antraege_renditions_complete(older_than=timedelta(0)) == 0
    assert not antrag_renditions_complete(antrag_id=antrag.pk)
    antrag.refresh_from_db()
    assert titles(antrag) == ["Antrag", "Antrag (Datensatz)", "Eingangsbestätigung"]
    copy = Dokument.objects.get(vorgang=antrag.vorgang, titel="Antrag")
    text = pdf_text(copy)
    assert antrag.geschaeftszeichen in text
    assert "nachweis.pdf" in text and "liste.pdf" in text and "../x" not in text
    receipt = client.get(f"/dienste/status/{result.token}/eingangsbestaetigung.pdf")
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
