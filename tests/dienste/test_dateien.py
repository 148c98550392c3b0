"""File fields of a draft: uploads checked like the Posteingang's, shown, removed, submitted."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from amtsfluss.core.text_pdf import text_pdf
from amtsfluss.dienste.models import Antrag, EntwurfDatei, Leistung
from amtsfluss.posteingang.models import Eingang
from tests.dienste.test_antrag import URKUNDE_SCHRITT_1, URKUNDE_SCHRITT_2, A, start
from tests.dienste.test_einreichung import submit

pytestmark = pytest.mark.django_db

INTERESSE = {**URKUNDE_SCHRITT_2, "berechtigung": "interesse", "begruendung": "Erbschaft"}


def pdf(name: str = "vollmacht.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text_pdf(["Vollmacht"]), content_type="application/pdf")


def at_step_2(client: Client) -> str:
    token = start(client)
    assert client.post(f"/dienste/entwurf/{token}/1/", URKUNDE_SCHRITT_1).status_code == 302
    return token


def test_upload_is_kept_shown_submitted_and_removed_with_the_draft(
    demo: dict[str, Leistung],
) -> None:
    client = Client(HTTP_HOST=A)
    token = at_step_2(client)
    step = f"/dienste/entwurf/{token}/2/"
    response = client.post(step, {**INTERESSE, "nachweis": pdf()})
    assert response["Location"] == f"/dienste/entwurf/{token}/3/"
    assert list(EntwurfDatei.objects.values_list("dateiname", flat=True)) == ["vollmacht.pdf"]
    page = client.get(step).content.decode()
    assert "vollmacht.pdf" in page and 'value="datei-entfernen:nachweis:0"' in page
    assert 'enctype="multipart/form-data"' in page
    client.post(f"/dienste/entwurf/{token}/3/", {"versand": "abholung"})
    summary = client.get(f"/dienste/entwurf/{token}/zusammenfassung/").content.decode()
    assert "vollmacht.pdf" in summary
    submit(client, token)
    antrag = Antrag.objects.get()
    assert antrag.werte["nachweis"] == ["vollmacht.pdf"]
    eingang = Eingang.objects.get()
    assert eingang.sendung.ziel_vorgang_id == antrag.vorgang_id
    assert eingang.dateiname == "vollmacht.pdf"
    assert EntwurfDatei.objects.count() == 0  # gone with the draft


def test_hostile_and_unwanted_files_are_refused_and_entries_kept(
    demo: dict[str, Leistung],
) -> None:
    client = Client(HTTP_HOST=A)
    token = at_step_2(client)
    step = f"/dienste/entwurf/{token}/2/"
    disguised = SimpleUploadedFile("bild.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    response = client.post(step, {**INTERESSE, "nachweis": disguised})
    assert response["Location"] == step  # not on to the next step
    text = client.get(step).content.decode()
    assert "bild.pdf" in text and "Erbschaft" in text  # message, and entries kept
    word = SimpleUploadedFile("brief.txt", b"Hallo", content_type="text/plain")
    client.post(step, {**INTERESSE, "nachweis": word})  # allowed by the Posteingang, not here
    assert EntwurfDatei.objects.count() == 0
    # the names are set by uploads only: a posted value for the field is ignored
    client.post(step, {**INTERESSE, "nachweis": "../../geheim.pdf"})
    assert client.get(f"/dienste/entwurf/{token}/2/").content.decode().count("geheim") == 0
    for n in range(6):
        client.post(step, {**INTERESSE, "nachweis": pdf(f"seite{n}.pdf")})
    assert EntwurfDatei.objects.count() == 5  # at most five per field


def test_remove_a_file_and_a_required_visible_field(demo: dict[str, Leistung]) -> None:
    client = Client(HTTP_HOST=A)
    token = at_step_2(client)
    step = f"/dienste/entwurf/{token}/2/"
    client.post(step, {**INTERESSE, "nachweis": pdf("a.pdf"), "aktion": "speichern"})
    client.post(step, {**INTERESSE, "nachweis": pdf("b.pdf"), "aktion": "speichern"})
    response = client.post(step, {**INTERESSE, "aktion": "datei-entfernen:nachweis:0"})
    assert response.status_code == 302
    assert list(EntwurfDatei.objects.values_list("dateiname", flat=True)) == ["b.pdf"]
    for bad in ("datei-entfernen:nachweis:x", "datei-entfernen:vorname:0", "datei-entfernen:"):
        assert client.post(step, {**INTERESSE, "aktion": bad}).status_code == 404
    assert EntwurfDatei.objects.count() == 1
