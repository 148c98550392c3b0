"""kill -9 in the middle of OCR: the next run resumes and files exactly one Dokument, with the
original and one archival rendition, and no second Blob row."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from amtsfluss.akte.models import Dokument, Dokumentversion
from amtsfluss.core.models import Blob
from amtsfluss.posteingang import pipeline
from amtsfluss.posteingang.models import Eingang, EingangStatus, Schritt
from tests.posteingang import files
from tests.posteingang.conftest import Post, text_of

DRIVER = Path(__file__).with_name("driver.py")
ROOT = Path(__file__).resolve().parents[2]


def _start(eingang: Eingang) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            str(DRIVER),
            str(connection.settings_dict["NAME"]),
            str(settings.AMTSFLUSS_BLOBS["DIRECTORY"]),
            str(eingang.pk),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": f"{ROOT}:{ROOT / 'src'}"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _wait_for_step(eingang: Eingang, schritt: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        eingang.refresh_from_db()
        if eingang.schritt == schritt:
            return
        if process.poll() is not None:
            pytest.fail(f"driver ended early: {process.communicate()[1].decode()[-2000:]}")
        time.sleep(0.05)
    pytest.fail(f"step {schritt} not reached")


@pytest.mark.django_db(transaction=True)
def test_kill_9_during_ocr_then_resume(post: Post) -> None:
    scan = files.scan_pdf("Anzeige einer Versammlung", "am Marktplatz")
    eingang = post.receive(("scan.pdf", scan), channel="ordner", geraet="scanner").eingaenge.get()
    driver = _start(eingang)
    _wait_for_step(eingang, Schritt.OCR, driver)
    time.sleep(1.0)  # ocrmypdf is at work
    os.killpg(driver.pid, signal.SIGKILL)
    driver.wait()

    eingang.refresh_from_db()
    assert eingang.status == EingangStatus.IN_BEARBEITUNG and eingang.archiv is None
    assert eingang.dokument is None and not Dokument.objects.exists()
    assert pipeline.claim(eingang.pk) is False  # the dead run's lease still holds …
    Eingang.objects.filter(pk=eingang.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert pipeline.release_stale() == [eingang.pk]  # … until it runs out; then it resumes
    assert pipeline.release_stale() == []  # handed out once

    driver = _start(eingang)
    out, err = driver.communicate(timeout=120)
    assert out.decode().strip() == EingangStatus.BEREIT, err.decode()[-2000:]

    eingang.refresh_from_db()
    assert Dokument.objects.count() == 1 and eingang.dokument is not None
    versions = Dokumentversion.objects.filter(dokument=eingang.dokument)
    assert sorted(versions.values_list("rendition", flat=True)) == ["archiv", "original"]
    assert "Versammlung" in text_of(eingang)
    referenced = {eingang.original_id, eingang.pdf_id, eingang.archiv_id, eingang.vorschau_id}
    referenced.discard(None)
    assert set(Blob.objects.values_list("pk", flat=True)) == referenced
    assert pipeline.process(eingang.pk) == EingangStatus.BEREIT  # once more: nothing changes
    assert Dokument.objects.count() == 1 and Blob.objects.count() == len(referenced)
