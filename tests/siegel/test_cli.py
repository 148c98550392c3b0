"""``amtsfluss siegel``: demo seal (idempotent, files private), configure, show, validate."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from amtsfluss.core.demo import DEMO_STEPS
from amtsfluss.siegel import demo as siegel_demo
from amtsfluss.siegel.keys import demo_pkcs12
from amtsfluss.siegel.models import Siegel
from amtsfluss.siegel.services import seal_pdf
from tests.conftest import World


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("siegel", *args, stdout=out)
    return out.getvalue()


def test_demo_creates_a_private_seal_once(world: World) -> None:
    first = run("demo", "--mandant", "a")
    siegel = Siegel.objects.get(mandant=world.a)
    assert first.startswith(("Created", "Kept")) and siegel.pkcs12_path in first
    p12, passphrase = Path(siegel.pkcs12_path), Path(siegel.passphrase_file)
    assert p12.parent == Path(settings.DATA_DIR) / "siegel"
    assert stat.S_IMODE(p12.stat().st_mode) == 0o600
    assert stat.S_IMODE(passphrase.stat().st_mode) == 0o600
    content = p12.read_bytes()
    assert "Kept" in run("demo", "--mandant", "a")
    assert p12.read_bytes() == content
    assert Siegel.objects.filter(mandant=world.a).count() == 1
    # nothing secret in the database: the row names the files only
    row = Siegel.objects.values().get(mandant=world.a)
    assert passphrase.read_text().strip() not in json.dumps(row, default=str)


def test_show_prints_subject_validity_fingerprint_and_key_usage(world: World) -> None:
    run("demo", "--mandant", "b")
    shown = json.loads(run("show", "--mandant", "b", "--json"))
    assert shown["subject"] == "Common Name: Gemeinde B, Organization: Gemeinde B, Country: DE"
    assert shown["issuer"] == shown["subject"]
    assert shown["not_before"] < shown["not_after"]
    assert len(shown["sha256_fingerprint"].split(":")) == 32
    assert shown["key_usage"] == "digital_signature, non_repudiation"
    text = run("show", "--mandant", "b")
    assert shown["sha256_fingerprint"] in text


def test_validate_reports_and_fails_for_a_foreign_seal(
    english: None, world: World, tmp_path: Path, bescheid_pdf: bytes
) -> None:
    run("demo", "--mandant", "a")
    run("demo", "--mandant", "b")
    sealed = tmp_path / "bescheid.pdf"
    sealed.write_bytes(seal_pdf(mandant=world.a, pdf=bescheid_pdf, reason="R", signer_name="S"))
    report = json.loads(run("validate", str(sealed), "--mandant", "a", "--json"))
    assert report["ok"] is True and report["trusted"] is True
    assert report["whole_document"] is True and report["reason"] == "R"
    with pytest.raises(CommandError, match="does not validate"):
        run("validate", str(sealed), "--mandant", "b")
    with pytest.raises(CommandError, match="Cannot read"):
        run("validate", str(tmp_path / "missing.pdf"), "--mandant", "a")
    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"%PDF-1.7\n" + b"\x00" * 100)
    with pytest.raises(CommandError, match="not a readable PDF"):
        run("validate", str(garbage), "--mandant", "a")
    with pytest.raises(CommandError, match="Unknown Mandant"):
        run("validate", str(sealed), "--mandant", "nowhere")


def test_validate_refuses_an_oversized_file(world: World, tmp_path: Path, settings: object) -> None:
    run("demo", "--mandant", "a")
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.7\n" + b" " * 2000)
    settings.AMTSFLUSS_MAX_UPLOAD_BYTES = 1000  # type: ignore[attr-defined]
    with pytest.raises(CommandError, match="larger than 1000 bytes"):
        run("validate", str(big), "--mandant", "a")


def test_configure_with_passphrase_from_the_environment(
    english: None,
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    bescheid_pdf: bytes,
) -> None:
    p12 = tmp_path / "seal.p12"
    p12.write_bytes(
        demo_pkcs12(subject_name="Stadt A Siegel", passphrase=b"geheim", now=timezone.now())
    )
    with pytest.raises(CommandError, match="SIEGEL_PASS"):
        run("configure", "--mandant", "a", "--pkcs12", str(p12), "--passphrase-env", "SIEGEL_PASS")
    monkeypatch.setenv("SIEGEL_PASS", "falsch")
    with pytest.raises(CommandError, match="cannot be opened"):
        run("configure", "--mandant", "a", "--pkcs12", str(p12), "--passphrase-env", "SIEGEL_PASS")
    assert not Siegel.objects.filter(mandant=world.a).exists()
    monkeypatch.setenv("SIEGEL_PASS", "geheim")
    shown = run(
        "configure", "--mandant", "a", "--pkcs12", str(p12), "--passphrase-env", "SIEGEL_PASS"
    )
    assert "Stadt A Siegel" in shown
    siegel = Siegel.objects.get(mandant=world.a)
    assert (siegel.passphrase_env, siegel.passphrase_file) == ("SIEGEL_PASS", "")
    sealed = seal_pdf(mandant=world.a, pdf=bescheid_pdf, reason="R", signer_name="S")
    out = tmp_path / "out.pdf"
    out.write_bytes(sealed)
    assert json.loads(run("validate", str(out), "--mandant", "a", "--json"))["ok"] is True
    # the demo leaves a configured seal alone
    assert "Kept" in run("demo", "--mandant", "a")
    assert Siegel.objects.get(mandant=world.a).pkcs12_path == str(p12)


def test_configure_rejects_a_broken_tsa_anchor(english: None, world: World, tmp_path: Path) -> None:
    run("demo", "--mandant", "a")
    siegel = Siegel.objects.get(mandant=world.a)
    anchor = tmp_path / "tsa.pem"
    anchor.write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    with pytest.raises(CommandError, match="TSA certificate"):
        run(
            "configure",
            "--mandant",
            "a",
            "--pkcs12",
            siegel.pkcs12_path,
            "--passphrase-file",
            siegel.passphrase_file,
            "--tsa-url",
            "http://127.0.0.1:9/tsa",
            "--tsa-cert",
            str(anchor),
        )


def test_demo_step_gives_the_demo_mandant_its_seal(world: World) -> None:
    assert siegel_demo.create_siegel_demo in DEMO_STEPS
    siegel_demo.create_siegel_demo(world.b, {})
    assert "Gemeinde B" in json.loads(run("show", "--mandant", "b", "--json"))["subject"]
