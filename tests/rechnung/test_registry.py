"""Several rule packs side by side: the invoice's CustomizationID picks the pack."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from amtsfluss.core.errors import ServiceError
from amtsfluss.rechnung.validation import saxon
from amtsfluss.rechnung.validation.registry import Registry
from amtsfluss.rechnung.validation.rules import RulePack
from amtsfluss.rechnung.validation.scenarios import (
    customization_accepted,
    invalid_accept_patterns,
)
from tests.rechnung.conftest import TESTSUITE, rules_source

CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
XR_ID = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
CASES = TESTSUITE / "src" / "test" / "business-cases" / "standard"
XR_UBL = CASES / "01.01a-INVOICE_ubl.xml"
ZUGFERD = Path("/work/shared/standards/zugferd")
PEPPOL_UBL = ZUGFERD / "XML-Rechnung" / "UBL" / "EN16931_Einfach.ubl.xml"
BASIC_PDF = ZUGFERD / "ZUGFeRDv2/correct/intarsys/BASIC/zugferd_2p0_BASIC_Einfach.pdf"


def test_pack_chosen_by_customization_id(registry: Registry) -> None:
    assert list(registry.packs)[-1] == "xrechnung-3.0.2-2026-02-04"  # installed first
    xrechnung = registry.validate_file(XR_UBL)
    assert xrechnung.verdict == "accept"
    assert xrechnung.scenario == "EN16931 XRechnung (UBL Invoice)"
    peppol = registry.validate_file(PEPPOL_UBL)
    assert peppol.verdict == "accept"
    assert peppol.scenario == "Peppol BIS Billing 3.0 style (UBL Invoice)"
    basic = registry.validate_file(BASIC_PDF)
    assert basic.verdict == "accept" and basic.scenario == "Factur-X BASIC (CII, XML Schema)"


def test_forced_pack_and_unknown_id(registry: Registry, rules_pack: RulePack) -> None:
    forced = registry.validate_file(PEPPOL_UBL, pack_id=rules_pack.id)
    assert forced.verdict == "reject"
    assert [f.rule for f in forced.findings] == ["AF-SCENARIO"]
    unknown = registry.validate_bytes(
        XR_UBL.read_bytes().replace(XR_ID.encode(), b"urn:example:unknown")
    )
    assert [f.rule for f in unknown.findings] == ["AF-SCENARIO"]
    message = unknown.findings[0].message
    assert "urn:example:unknown" in message
    assert "Validator Configuration XRechnung 3.0.2" in message and "Factur-X" in message
    with pytest.raises(ServiceError, match="nicht installiert"):
        registry.validate_file(XR_UBL, pack_id="nope")


def xsd_only_pack(target: Path, match: str) -> Path:
    """A KoSIT configuration with one XSD-only scenario (needs no Saxon compilation)."""
    source = rules_source()
    shutil.copytree(source / "resources" / "ubl" / "2.1" / "xsd", target / "xsd")
    ns = "http://www.xoev.de/de/validator/framework/1/scenarios"
    (target / "scenarios.xml").write_text(
        f"""<scenarios xmlns="{ns}"><name>Shadow pack</name><date>2026-03-01</date>
  <scenario><name>Shadow (UBL Invoice, XML Schema)</name>
    <namespace prefix="cbc">{CBC}</namespace>
    <match>{match}</match>
    <validateWithXmlSchema><resource><name>UBL</name>
      <location>xsd/maindoc/UBL-Invoice-2.1.xsd</location></resource></validateWithXmlSchema>
  </scenario></scenarios>""",
        encoding="utf-8",
    )
    return target


def test_newest_pack_first(registry: Registry, rules_pack: RulePack, tmp_path: Path) -> None:
    shadow = xsd_only_pack(tmp_path / "shadow", f"//cbc:CustomizationID = '{XR_ID}'")
    newer_shadow = Registry([("shadow", shadow), (rules_pack.id, rules_pack.path())])
    assert newer_shadow.validate_file(XR_UBL).scenario == "Shadow (UBL Invoice, XML Schema)"
    newer_xrechnung = Registry([(rules_pack.id, rules_pack.path()), ("shadow", shadow)])
    assert newer_xrechnung.validate_file(XR_UBL).scenario == "EN16931 XRechnung (UBL Invoice)"


def test_saxon_locked_after_registry(registry: Registry, tmp_path: Path) -> None:
    """Packs are compiled before the lock; a pack with new stylesheets needs a restart."""
    assert saxon.is_locked()
    copy = tmp_path / "copy"
    shutil.copytree(rules_source(), copy)
    with pytest.raises(ServiceError) as excinfo:
        Registry([("copy", copy)])
    assert excinfo.value.code == "rules_locked"


# -- accepted CustomizationIDs ----------------------------------------------------------------


def test_accept_patterns() -> None:
    assert customization_accepted(XR_ID, [XR_ID])
    assert customization_accepted(XR_ID + "#conformant#urn:x", ["urn:cen.eu:en16931:2017#*"])
    assert customization_accepted(XR_ID, ["*"])
    assert not customization_accepted(XR_ID, ["urn:cen.eu:en16931:2017"])
    assert not customization_accepted(None, ["*"])
    assert not customization_accepted(XR_ID, [])
    assert invalid_accept_patterns(["a*", "a*b", "", " a", "exact"]) == ["a*b", "", " a"]


def test_not_accepted_rejects_a_valid_invoice(registry: Registry) -> None:
    assert registry.validate_file(XR_UBL, accept=[XR_ID]).verdict == "accept"
    assert registry.validate_file(XR_UBL, accept=["urn:cen.eu:en16931:2017#*"]).accepted
    refused = registry.validate_file(XR_UBL, accept=["urn:cen.eu:en16931:2017"])
    assert refused.verdict == "reject"
    assert refused.scenario == "EN16931 XRechnung (UBL Invoice)"  # it was validated
    errors = [f for f in refused.findings if f.level == "error"]
    assert [f.rule for f in errors] == ["AF-NOT-ACCEPTED"]
    assert XR_ID in errors[0].message
    nothing = registry.validate_file(XR_UBL, accept=())
    assert nothing.verdict == "reject"


def test_not_accepted_applies_to_pdf_and_forced_pack(
    registry: Registry, rules_pack: RulePack
) -> None:
    xrechnung_only = ["urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:*"]
    basic = registry.validate_file(BASIC_PDF, accept=xrechnung_only)
    assert basic.verdict == "reject" and basic.embedded_file == "zugferd-invoice.xml"
    assert "AF-NOT-ACCEPTED" in {f.rule for f in basic.findings}
    forced = registry.validate_file(XR_UBL, accept=xrechnung_only, pack_id=rules_pack.id)
    assert forced.verdict == "accept"


def test_broken_documents_get_no_acceptance_finding(registry: Registry) -> None:
    broken = registry.validate_bytes(b"<Invoice><unclosed></Invoice>", accept=[XR_ID])
    assert [f.rule for f in broken.findings] == ["AF-XML"]
