"""Rule-pack fixtures (a pytest plugin, see tests/conftest.py): the official KoSIT configuration and
further rule packs, compiled once per test process and shared by every test that validates.

The material is not downloaded: set AMTSFLUSS_XRECHNUNG_RULES to the unpacked official
validator-configuration-xrechnung-3.0.2 (or its zip). Without it these tests fail loudly.

Saxon is locked against file access once a registry has compiled its packs (one-way in
SaxonC 13), so every pack a test session needs is installed before the first validator exists:
the XRechnung configuration, the Factur-X profile XSDs and a Peppol-style configuration built
from the XRechnung one. All tests share the one registry.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from lxml import etree

from amtsfluss.rechnung.validation import Validator
from amtsfluss.rechnung.validation.registry import Registry, default_registry
from amtsfluss.rechnung.validation.rules import RulePack, facturx_xsd_folder, rules_install
from amtsfluss.rechnung.validation.scenarios import NS

STANDARDS = Path("/work/shared/standards/xrechnung")
DEFAULT_RULES = STANDARDS / "validator-configuration-xrechnung-3.0.2"
TESTSUITE = Path(os.environ.get("AMTSFLUSS_XRECHNUNG_TESTSUITE", STANDARDS / "testsuite"))
PEPPOL_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"


def rules_source() -> Path:
    return Path(os.environ.get("AMTSFLUSS_XRECHNUNG_RULES", DEFAULT_RULES))


def suite_files() -> list[Path]:
    return sorted((TESTSUITE / "src" / "test").rglob("*.xml"))


def build_peppol_style_pack(target: Path) -> Path:
    """A KoSIT configuration for the Peppol BIS Billing 3 CustomizationID (UBL Invoice).

    Made from the XRechnung configuration: its UBL Invoice scenario with the match changed to
    the Peppol identifier and only the EN 16931 Schematron (no XRechnung CIUS rules).
    """
    source = rules_source()
    shutil.copytree(source / "resources" / "ubl", target / "resources" / "ubl")
    for report in ("default-report.xsl", "xrechnung-report.xsl"):
        shutil.copyfile(source / "resources" / report, target / "resources" / report)
    tree = etree.parse(str(source / "scenarios.xml"))
    top = tree.getroot()
    s = {"s": NS}
    top.find("s:name", s).text = "Test configuration Peppol BIS Billing 3.0 style"
    top.find("s:date", s).text = "2026-01-01"
    scenarios = top.findall("s:scenario", s)
    kept = scenarios[0]
    for other in scenarios[1:]:
        top.remove(other)
    kept.find("s:name", s).text = "Peppol BIS Billing 3.0 style (UBL Invoice)"
    kept.find(
        "s:match", s
    ).text = f"exists(/invoice:Invoice/cbc:CustomizationID[. = '{PEPPOL_ID}'])"
    cius = kept.findall("s:validateWithSchematron", s)[1]
    kept.remove(cius)
    tree.write(str(target / "scenarios.xml"), xml_declaration=True, encoding="UTF-8")
    return target


@pytest.fixture(scope="session")
def rules_pack() -> RulePack:
    source = rules_source()
    if not (source / "scenarios.xml").is_file() and not source.is_file():
        pytest.fail(
            f"KoSIT validator configuration not found at {source}. Get the official release "
            "xrechnung-3.0.2-validator-configuration-2026-01-31.zip from "
            "https://github.com/itplr-kosit/validator-configuration-xrechnung/releases, unpack "
            "it and set AMTSFLUSS_XRECHNUNG_RULES to that folder (or the zip).",
            pytrace=False,
        )
    # settings.DATA_DIR is a fresh temporary folder per test process (settings/test.py).
    return rules_install(source)


@pytest.fixture(scope="session")
def facturx_pack(rules_pack: RulePack) -> RulePack:
    return rules_install(facturx_xsd_folder())


@pytest.fixture(scope="session")
def peppol_pack(facturx_pack: RulePack, tmp_path_factory: pytest.TempPathFactory) -> RulePack:
    return rules_install(build_peppol_style_pack(tmp_path_factory.mktemp("peppol")))


@pytest.fixture(scope="session")
def registry(rules_pack: RulePack, facturx_pack: RulePack, peppol_pack: RulePack) -> Registry:
    """All three packs, compiled before Saxon is locked."""
    return default_registry()


@pytest.fixture(scope="session")
def validator(registry: Registry, rules_pack: RulePack) -> Validator:
    return registry.validator(rules_pack.id)
