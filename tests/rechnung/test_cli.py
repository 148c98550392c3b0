"""The ``amtsfluss erechnung`` contract: output fields and exit codes 0/1/2."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from amtsfluss.rechnung.validation import Validator
from tests.rechnung.conftest import TESTSUITE, build_peppol_style_pack, rules_source

GOOD = TESTSUITE / "src" / "test" / "business-cases" / "standard" / "01.01a-INVOICE_ubl.xml"
GOOD_CII = (
    TESTSUITE / "src" / "test" / "business-cases" / "standard" / "01.01a-INVOICE_uncefact.xml"
)
ZUGFERD = Path("/work/shared/standards/zugferd")
FX_PDF = ZUGFERD / "XML-Rechnung" / "FX" / "EN16931_Einfach.pdf"
PEPPOL_UBL = ZUGFERD / "XML-Rechnung" / "UBL" / "EN16931_Einfach.ubl.xml"
BASIC_PDF = ZUGFERD / "ZUGFeRDv2/correct/intarsys/BASIC/zugferd_2p0_BASIC_Einfach.pdf"
FIELDS = {"file", "syntax", "customization_id", "scenario", "verdict", "findings"}


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("erechnung", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, out.getvalue()


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    path = tmp_path / "bad.xml"
    data = re.sub(rb"<cbc:BuyerReference>[^<]*</cbc:BuyerReference>", b"", GOOD.read_bytes())
    path.write_bytes(data)
    return path


def test_validate_json_accept(validator: Validator) -> None:
    code, out = run("validate", "--json", str(GOOD), str(GOOD_CII))
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [set(line) for line in lines] == [FIELDS, FIELDS]
    assert [line["syntax"] for line in lines] == ["ubl-invoice", "cii"]
    assert all(line["verdict"] == "accept" for line in lines)
    assert lines[0]["customization_id"].endswith("xrechnung_3.0")
    assert lines[0]["scenario"] == "EN16931 XRechnung (UBL Invoice)"
    for finding in lines[0]["findings"]:
        assert set(finding) == {"rule", "level", "message", "location"}


def test_validate_reject_exit_1(validator: Validator, bad_file: Path) -> None:
    code, out = run("validate", "--json", str(GOOD), str(bad_file))
    assert code == 1
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["verdict"] for line in lines] == ["accept", "reject"]
    assert "BR-DE-15" in {f["rule"] for f in lines[1]["findings"]}


def test_validate_human_summary(validator: Validator, bad_file: Path) -> None:
    code, out = run("validate", str(bad_file))
    assert code == 1
    assert "ABGELEHNT" in out and "[Fehler] BR-DE-15" in out


def test_usage_errors_exit_2(validator: Validator, tmp_path: Path) -> None:
    code, message = run("validate")
    assert code == 2 and "Keine Dateien" in message
    code, message = run("validate", str(tmp_path / "missing.xml"))
    assert code == 2 and "nicht gefunden" in message
    code, message = run("validate", "--rules", "nope", str(GOOD))
    assert code == 2 and "nicht installiert" in message


def test_rules_list(validator: Validator) -> None:
    code, out = run("rules", "list")
    assert code == 0 and "xrechnung-3.0.2-2026-02-04" in out


def test_install_again_fails_unless_if_missing(validator: Validator) -> None:
    """``make run`` installs the pack on every start: the second time is not an error for it."""
    code, out = run("rules", "install", str(rules_source()))
    assert code == 2 and "bereits installiert" in out
    code, out = run("rules", "install", str(rules_source()), "--if-missing")
    assert code == 0 and "bereits installiert" in out
    code, out = run("rules", "list")
    assert out.count("xrechnung-3.0.2-2026-02-04") == 1


def test_real_process_exit_codes(tmp_path: Path, bad_file: Path) -> None:
    """The installed ``amtsfluss`` entry point, in its own process and data dir."""
    env = {
        **os.environ,
        "AMTSFLUSS_DATA_DIR": str(tmp_path / "data"),
        "AMTSFLUSS_SETTINGS": "embedded",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    cli = [sys.executable, "-m", "amtsfluss.cli", "erechnung"]

    def call(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*cli, *args], env=env, capture_output=True, text=True, timeout=120)

    no_rules = call("validate", str(GOOD))
    assert no_rules.returncode == 2 and "rules install" in no_rules.stderr
    assert call("rules", "install", str(rules_source())).returncode == 0
    assert call("validate", "--json", str(GOOD)).returncode == 0
    rejected = call("validate", "--json", str(GOOD), str(bad_file))
    assert rejected.returncode == 1
    assert len(rejected.stdout.splitlines()) == 2
    assert call("validate").returncode == 2


def test_validate_pdf_and_accept_option(validator: Validator) -> None:
    code, out = run("validate", str(FX_PDF))
    assert code == 0
    assert "ANGENOMMEN" in out and "Eingebettete Rechnung (PDF): factur-x.xml" in out
    code, out = run("validate", "--json", str(FX_PDF))
    assert code == 0 and set(json.loads(out)) == FIELDS
    code, out = run("validate", "--json", "--accept", "urn:cen.eu:en16931:2017#*", str(FX_PDF))
    line = json.loads(out)
    assert code == 1 and line["verdict"] == "reject"
    assert [f["rule"] for f in line["findings"]] == ["AF-NOT-ACCEPTED"]
    code, out = run(
        "validate",
        "--accept",
        "urn:cen.eu:en16931:2017#*",
        "--accept",
        "urn:cen.eu:en16931:2017",
        str(FX_PDF),
        str(GOOD),
    )
    assert code == 0
    code, message = run("validate", "--accept", "urn:*:2017", str(GOOD))
    assert code == 2 and "--accept" in message


def test_real_process_registry_of_three_packs(tmp_path: Path) -> None:
    """A fresh process compiles every installed pack before Saxon is locked."""
    env = {
        **os.environ,
        "AMTSFLUSS_DATA_DIR": str(tmp_path / "data"),
        "AMTSFLUSS_SETTINGS": "embedded",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    cli = [sys.executable, "-m", "amtsfluss.cli", "erechnung"]

    def call(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*cli, *args], env=env, capture_output=True, text=True, timeout=180)

    assert call("rules", "install", str(rules_source())).returncode == 0
    assert call("rules", "install", "--facturx").returncode == 0
    peppol = build_peppol_style_pack(tmp_path / "peppol")
    assert call("rules", "install", str(peppol)).returncode == 0
    result = call("validate", "--json", str(GOOD), str(PEPPOL_UBL), str(BASIC_PDF))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["scenario"] for line in lines] == [
        "EN16931 XRechnung (UBL Invoice)",
        "Peppol BIS Billing 3.0 style (UBL Invoice)",
        "Factur-X BASIC (CII, XML Schema)",
    ]
    forced = call("validate", "--json", "--rules", "xrechnung-3.0.2-2026-02-04", str(PEPPOL_UBL))
    assert forced.returncode == 1 and "AF-SCENARIO" in forced.stdout
