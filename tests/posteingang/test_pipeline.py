"""The three paths through the pipeline with real tools: text layer, OCR of a scan, Office.

Each ends in a Dokument in the unit's "Posteingang <year>" Akte, the text kept for the search
and — for scans and Office files — a PDF/A-2b archival rendition beside the original."""

from __future__ import annotations

import io
import time

import pikepdf
import pytest

from amtsfluss.akte.models import Dokumentversion, Rendition
from amtsfluss.core.services.blobs import blob_open
from amtsfluss.posteingang.models import Eingang, EingangStatus, Transfervermerk
from tests.posteingang import files
from tests.posteingang.conftest import Post, text_of

pytestmark = pytest.mark.django_db


def _versions(eingang: Eingang) -> dict[str, Dokumentversion]:
    return {v.rendition: v for v in Dokumentversion.objects.filter(dokument=eingang.dokument)}


def _pdfa_part(version: Dokumentversion) -> str:
    with blob_open(blob=version.blob) as reader:
        data = reader.read_all()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return str(pdf.open_metadata().pdfa_status)


def test_text_layer_path(post: Post) -> None:
    sendung = post.receive(
        ("bescheid.pdf", files.text_pdf("Bescheid über die Sondernutzung", "Aktenzeichen 32-1"))
    )
    started = time.perf_counter()
    [eingang] = post.process(sendung)
    print(f"text-layer path: {time.perf_counter() - started:.2f} s")
    assert eingang.status == EingangStatus.BEREIT, eingang.grund
    assert eingang.textquelle == "textlayer"
    assert "Sondernutzung" in text_of(eingang)
    assert eingang.seiten == 1 and eingang.vorschau is not None
    assert eingang.archiv is None  # a born-digital PDF keeps its own form
    assert set(_versions(eingang)) == {Rendition.ORIGINAL}
    akte = eingang.dokument.vorgang.akte  # type: ignore[union-attr]
    assert akte.titel.startswith("Posteingang ") and akte.federfuehrende_oe == post.unit


def test_ocr_path_makes_a_pdfa_and_finds_the_words_of_the_image(post: Post) -> None:
    scan = files.scan_pdf("Antrag auf Gewerbeanmeldung", "Rathausstraße 5")
    sendung = post.receive(("scan-0001.pdf", scan), channel="ordner", geraet="scanner-eg")
    started = time.perf_counter()
    [eingang] = post.process(sendung)
    print(f"OCR path: {time.perf_counter() - started:.2f} s")
    assert eingang.status == EingangStatus.BEREIT, eingang.grund
    assert eingang.textquelle == "ocr"
    assert "Gewerbeanmeldung" in text_of(eingang)
    versions = _versions(eingang)
    assert set(versions) == {Rendition.ORIGINAL, Rendition.ARCHIV}
    assert versions[Rendition.ORIGINAL].blob.sha256 == eingang.sha256  # the original stays
    assert versions[Rendition.ARCHIV].nummer == versions[Rendition.ORIGINAL].nummer
    assert _pdfa_part(versions[Rendition.ARCHIV]) == "2B"
    vermerk = Transfervermerk.objects.get(eingang=eingang)
    assert vermerk.geraet == "scanner-eg" and vermerk.seiten == 1
    assert vermerk.erfasst_von == "posteingang.a"
    assert vermerk.ocr_konfidenz is not None and vermerk.ocr_konfidenz > 50
    assert vermerk.leere_seiten == []


def test_a_two_page_tiff_is_recognised_and_its_blank_back_noted(post: Post) -> None:
    tiff = files.scan_tiff("Widerspruch gegen den Bescheid")
    sendung = post.receive(("scan.tif", tiff), channel="ordner", geraet="scanner-og")
    [eingang] = post.process(sendung)
    assert eingang.status == EingangStatus.BEREIT, eingang.grund
    assert eingang.media_type == "image/tiff" and eingang.seiten == 2
    assert "Widerspruch" in text_of(eingang)
    assert _pdfa_part(_versions(eingang)[Rendition.ARCHIV]) == "2B"
    assert Transfervermerk.objects.get(eingang=eingang).leere_seiten == [2]


@pytest.mark.parametrize(("name", "make"), [("antrag.docx", files.docx), ("antrag.odt", files.odt)])
def test_office_path(post: Post, name: str, make: object) -> None:
    document = make("Antrag auf Baugenehmigung", "Flurstück 17, Gemarkung Altstadt")  # type: ignore[operator]
    sendung = post.receive((name, document))
    started = time.perf_counter()
    [eingang] = post.process(sendung)
    print(f"Office path ({name}): {time.perf_counter() - started:.2f} s")
    assert eingang.status == EingangStatus.BEREIT, eingang.grund
    assert eingang.textquelle == "office"
    assert "Baugenehmigung" in text_of(eingang)
    versions = _versions(eingang)
    assert versions[Rendition.ORIGINAL].media_type == eingang.media_type
    assert _pdfa_part(versions[Rendition.ARCHIV]) == "2B"


def test_running_again_changes_nothing(post: Post) -> None:
    sendung = post.receive(("brief.pdf", files.text_pdf("Ein Schreiben an das Ordnungsamt")))
    [first] = post.process(sendung)
    [again] = post.process(sendung)
    assert again.dokument_id == first.dokument_id
    assert Dokumentversion.objects.filter(dokument=first.dokument).count() == 1


def test_a_message_over_the_part_limit_is_a_klaerungsfall_with_its_reason(post: Post) -> None:
    parts = "".join(f"--grenze\r\nContent-Type: text/plain\r\n\r\nTeil {n}\r\n" for n in range(450))
    message = (
        "From: absender@example.de\r\nSubject: Viele Teile\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="grenze"\r\n\r\n'
        f"{parts}--grenze--\r\n"
    ).encode()
    [eingang] = post.process(post.receive(("nachricht.eml", message)))
    assert eingang.status == EingangStatus.KLAERUNG
    assert eingang.grund == "Die Nachricht hat mehr als 200 Teile."  # stored in German, not
    # "an unexpected error"
