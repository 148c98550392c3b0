"""``amtsfluss kasse camt053`` (report as text and JSON, refusals) and ``epay-simulator``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from amtsfluss.kasse.models import Zustand
from tests.kasse.camt_files import camt
from tests.kasse.conftest import KasseWorld
from tests.kasse.test_camt import XXE


def test_camt053_command_books_and_reports_json(kw: KasseWorld, tmp_path: Path) -> None:
    forderung, _ = kw.forderung("20.00")
    path = tmp_path / "auszug.xml"
    path.write_bytes(camt("camt053_v08.xml", KZ1=forderung.kassenzeichen, KZ2="x"))
    out = StringIO()
    call_command("kasse", "camt053", str(path), "--mandant", "a", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["zugeordnet"] == 1 and report["schon_importiert"] == 0
    assert report["zeilen"][0]["kassenzeichen"] == forderung.kassenzeichen
    forderung.refresh_from_db()
    assert forderung.zustand == Zustand.BEZAHLT
    out = StringIO()
    call_command("kasse", "camt053", str(path), "--mandant", "a", stdout=out)
    assert "schon eingelesen: 1" in out.getvalue()


def test_camt053_command_refuses_hostile_file_and_unknown_mandant(
    kw: KasseWorld, tmp_path: Path
) -> None:
    path = tmp_path / "xxe.xml"
    path.write_bytes(XXE)
    with pytest.raises(CommandError, match="DOCTYPE") as refused:
        call_command("kasse", "camt053", str(path), "--mandant", "a")
    assert refused.value.returncode == 1
    with pytest.raises(CommandError, match="Unknown Mandant"):
        call_command("kasse", "camt053", str(path), "--mandant", "nobody")


def test_epay_simulator_command_serves_on_loopback() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "amtsfluss.cli",
            "kasse",
            "epay-simulator",
            "--port",
            "0",
            "--secret",
            "s",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("ePay-Simulator: http://127.0.0.1:")
        url = line.split(": ", 1)[1].strip()
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with pytest.raises(urllib.error.HTTPError) as unknown:
            direct.open(url + "zahlen/unbekannt", timeout=60)
        assert unknown.value.code == 404
        with pytest.raises(urllib.error.HTTPError) as unsigned:
            direct.open(url + "api/zahlungen/x", timeout=60)
        assert unsigned.value.code == 401
    finally:
        process.terminate()
        process.wait(timeout=60)
