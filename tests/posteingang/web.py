"""Helpers of the Posteingang page and API tests: hosts, German texts, uploads, targets, and
one Sendung with an Eingang in every state."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from amtsfluss.akte.models import Akte
from amtsfluss.akte.services.akte import check_akte_create
from amtsfluss.core.models import User
from amtsfluss.core.permissions import Principal
from amtsfluss.posteingang import pipeline
from amtsfluss.posteingang.models import Eingang, EingangStatus, Sendung
from tests.akte.pages.conftest import german
from tests.posteingang import files
from tests.posteingang.conftest import Post

A_HOST = "a.test"
B_HOST = "b.test"
__all__ = ["german"]  # the E-Akte pages' helper: ``message`` as the German pages show it
UPLOAD_URL = "/intern/posteingang/hochladen/"
INBOX_URL = "/intern/posteingang/eingaenge/"
#: small enough to send a file beyond it, large enough for the zip bomb (300 KB deflated)
LIMIT = 1_000_000


def upload_file(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def post_upload(client: Client, *uploads: SimpleUploadedFile, **fields: object) -> object:
    return client.post(UPLOAD_URL, {"dateien": list(uploads), **fields})


def hostile_batch() -> list[tuple[str, bytes]]:
    """Four files the checks refuse and one good one, in this order (see ``REASONS``)."""
    return [
        ("riesig.pdf", b"%PDF-1.7\n" + b"0" * LIMIT),
        ("bescheid.docx", files.text_pdf("Ein PDF, das sich als Word-Datei ausgibt")),
        ("verschluesselt.pdf", files.encrypted_pdf()),
        ("bombe.docx", files.zip_bomb_docx()),
        ("antrag.pdf", files.text_pdf("Antrag auf Erteilung einer Gaststättenerlaubnis")),
    ]


#: The reasons of the refused files of ``hostile_batch`` (msgids; the size limit's separately).
REASONS = {
    "bescheid.docx": (
        "The file name ends in “%(ext)s”, but the content is %(type)s. Files whose name "
        "does not match their content are not accepted."
    ),
    "verschluesselt.pdf": (
        "The PDF is encrypted or password-protected; please send it without encryption."
    ),
    "bombe.docx": (
        "The Office file unpacks to far more data than it contains (a “zip bomb”); it was "
        "not opened."
    ),
}
TOO_LARGE = "The file is larger than the limit of %s."
EXTENSION_PARAMS = {"ext": ".docx", "type": "application/pdf"}


def open_akte(post: Post, user: User, unit: str) -> Akte:
    """An open Akte of ``unit`` at the Posteingang's position, formed by ``user``."""
    return check_akte_create(
        principal=Principal.for_user(user),
        position=post.position,
        titel=f"Akte {unit}",
        federfuehrende_oe=post.w.units[unit],
    )


def mandant_b_akte(post: Post) -> Akte:
    """An open Akte of Mandant B (its own position and unit), formed by B's clerk."""
    from amtsfluss.akte.models import Aktenplanposition

    w = post.w
    position = Aktenplanposition.objects.create(
        mandant=w.b, kennzeichen="10", titel="Allgemeines B", federfuehrende_oe=w.b_units["32"]
    )
    return check_akte_create(
        principal=Principal.for_user(w.b_clerk),
        position=position,
        titel="Akte in B",
        federfuehrende_oe=w.b_units["32"],
    )


@dataclass
class Scene:
    """One Sendung of 32.1 with an Eingang in each state, and one of 32.2."""

    sendung: Sendung
    neu: Eingang
    bereit: Eingang
    klaerung: Eingang
    abgewiesen: Eingang
    in_arbeit: Eingang
    other_unit: Eingang


def scene(post: Post) -> Scene:
    sendung = post.receive(
        ("neu.txt", b"Ein Schreiben, das noch wartet"),
        ("bereit.pdf", files.text_pdf("Gewerbeanmeldung der Bäckerei Korn GmbH")),
        ("klaerung.txt", b"Ein Schreiben, dessen Ablage scheitert"),
        ("abgewiesen.pdf", files.encrypted_pdf()),
        ("in_arbeit.txt", b"Ein Schreiben in Bearbeitung"),
        channel="upload",
        principal=Principal.for_user(post.w.clerk),
    )
    rows = {e.dateiname: e for e in sendung.eingaenge.all()}
    pipeline.process(rows["bereit.pdf"].pk)
    Eingang.objects.filter(pk=rows["klaerung.txt"].pk).update(
        status=EingangStatus.KLAERUNG, schritt="ablage", grund="Die Zielakte ist geschlossen."
    )
    Eingang.objects.filter(pk=rows["in_arbeit.txt"].pk).update(
        status=EingangStatus.IN_BEARBEITUNG, schritt="ocr"
    )
    other = post.receive(
        ("verkehr.txt", b"Ein Schreiben an die Verkehrsabteilung"),
        unit=post.w.units["32.2"],
    )
    fresh = {e.dateiname: e for e in Eingang.objects.all()}
    return Scene(
        sendung=sendung,
        neu=fresh["neu.txt"],
        bereit=fresh["bereit.pdf"],
        klaerung=fresh["klaerung.txt"],
        abgewiesen=fresh["abgewiesen.pdf"],
        in_arbeit=fresh["in_arbeit.txt"],
        other_unit=other.eingaenge.get(),
    )
