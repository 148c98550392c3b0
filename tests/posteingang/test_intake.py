"""Mail and the scanner's folder into the Posteingang through the real intake channels: a mail
with three attachments becomes one Vorgang; a folder file carries a Transfervermerk."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from amtsfluss.akte.models import Dokument, Dokumenttyp
from amtsfluss.core.intake.runner import run_channel
from amtsfluss.core.intake.services import check_folder_create
from amtsfluss.core.models import IntakeRecord
from amtsfluss.posteingang.models import Eingang, EingangStatus, Sendung, Transfervermerk
from tests.intake.conftest import Place, mail, mailbox_channel
from tests.intake.dovecot import Dovecot
from tests.posteingang import files
from tests.posteingang.conftest import Post, text_of

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.mark.django_db(transaction=True)
def test_a_mail_with_three_attachments_becomes_one_vorgang(post: Post, dovecot: Dovecot) -> None:
    dovecot.append(
        mail(
            "Bauantrag Flurstück 17",
            body="Sehr geehrte Damen und Herren,\nanbei unser Bauantrag mit Anlagen.",
            message_id="<bauantrag-17@architekt.example>",
            sender="Architekturbüro Stein <post@stein.example>",
            attachments=(
                ("antrag.pdf", files.text_pdf("Bauantrag für das Flurstück 17"), "application/pdf"),
                ("lageplan.docx", files.docx("Lageplan zum Bauantrag"), DOCX),
                ("notiz.txt", "Rückfragen bitte an Frau Stein".encode(), "text/plain"),
            ),
        )
    )
    channel = mailbox_channel(
        Place(post.w.a, post.unit), dovecot, name="bauamt", purpose="posteingang"
    )

    report = run_channel(channel.pk)

    assert report is not None and report.done == 1, report
    sendung = Sendung.objects.get()
    assert sendung.kanal == "mail" and sendung.betreff == "Bauantrag Flurstück 17"
    assert sendung.herkunft["message_id"] == "<bauantrag-17@architekt.example>"
    assert IntakeRecord.objects.get().result.startswith(f"Sendung {sendung.pk}: 4 files")
    eingaenge = post.process(sendung)
    assert [e.status for e in eingaenge] == [EingangStatus.BEREIT] * 4, [e.grund for e in eingaenge]
    dokumente = Dokument.objects.filter(pk__in=[e.dokument_id for e in eingaenge])
    assert len({d.vorgang_id for d in dokumente}) == 1
    vorgang = dokumente[0].vorgang
    assert vorgang.betreff == "Bauantrag Flurstück 17" and vorgang.bearbeitende_oe == post.unit
    nachricht = eingaenge[0]
    assert nachricht.ist_nachricht and nachricht.dokument.dokumenttyp == Dokumenttyp.EMAIL  # type: ignore[union-attr]
    assert "anbei unser Bauantrag" in text_of(nachricht) and nachricht.textquelle == "mail"
    assert eingaenge[2].media_type == DOCX and "Lageplan" in text_of(eingaenge[2])
    assert all(d.absender_empfaenger.startswith("Architekturbüro Stein") for d in dokumente)


@pytest.mark.django_db(transaction=True)
def test_a_scan_in_the_watched_folder_gets_a_transfervermerk(post: Post, tmp_path: Path) -> None:
    inbox = tmp_path / "scanner"
    inbox.mkdir()
    scan = inbox / "scan-0001.pdf"
    scan.write_bytes(files.scan_pdf("Widerspruch gegen den Gebührenbescheid"))
    os.utime(scan, (time.time() - 60, time.time() - 60))  # settled
    hostile = inbox / "rechnung.docx"
    hostile.write_bytes(files.text_pdf("Kein Word-Dokument"))
    os.utime(hostile, (time.time() - 60, time.time() - 60))
    channel = check_folder_create(
        mandant=post.w.a,
        name="scanner-eg",
        purpose="posteingang",
        unit=post.unit,
        path=str(inbox),
        by=None,
    )

    report = run_channel(channel.pk)

    assert report is not None and report.done == 2, report
    refused = Eingang.objects.get(dateiname="rechnung.docx")
    assert refused.status == EingangStatus.ABGEWIESEN and "nicht zum Inhalt passt" in refused.grund
    eingang = Eingang.objects.get(dateiname="scan-0001.pdf")
    assert eingang.kanal == "ordner" and eingang.herkunft["filename"] == "scan-0001.pdf"
    [eingang] = post.process(eingang.sendung)
    assert eingang.status == EingangStatus.BEREIT, eingang.grund
    assert "Gebührenbescheid" in text_of(eingang)
    vermerk = Transfervermerk.objects.get(eingang=eingang)
    assert vermerk.geraet == "scanner-eg" and vermerk.seiten == 1
    assert vermerk.ocr_konfidenz is not None
    assert (inbox / "done" / "scan-0001.pdf").is_file()
