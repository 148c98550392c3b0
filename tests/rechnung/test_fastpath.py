"""The fast path (compiled scenario selector, verdict without KoSIT's report stylesheet) gives
exactly the verdicts and findings of the full path (report stylesheet + acceptMatch), over all
testsuite instances and over edited instances that fail, warn or leave the scenarios."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import pytest
from lxml import etree  # type: ignore[import-untyped]

from amtsfluss.rechnung.validation import Validator, fastpath, saxon
from amtsfluss.rechnung.validation.scenarios import NS as S
from amtsfluss.rechnung.validation.validator import ValidationResult
from tests.rechnung.conftest import suite_files
from tests.rechnung.test_negative import (
    CII_CASES,
    CII_FILE,
    NS,
    UBL_CASES,
    UBL_FILE,
    Edit,
    edited,
    remove,
    set_text,
)

FILES = suite_files()
EXTENSION = "#conformant#urn:xeinkauf.de:kosit:extension:xrechnung_3.0"


def set_attribute(xpath: str, name: str, value: str) -> Edit:
    def edit(root: etree._Element) -> None:
        nodes = root.xpath(xpath, namespaces=NS)
        assert nodes, xpath
        for node in nodes:
            node.set(name, value)

    return edit


def add_unknown_element(root: etree._Element) -> None:
    etree.SubElement(root, "{urn:example}Unknown")


def both(*edits: Edit) -> Edit:
    def edit(root: etree._Element) -> None:
        for one in edits:
            one(root)

    return edit


UBL_ID = "/ubl:Invoice/cbc:CustomizationID"
#: (name, base, edit) — each must give the same result on both paths, whatever the verdict
VARIANTS: list[tuple[str, Path, Edit]] = [
    *((f"ubl {name}", UBL_FILE, edit) for name, edit, _ in UBL_CASES),
    *((f"cii {name}", CII_FILE, edit) for name, edit, _ in CII_CASES),
    # BR-CL-23 is fatal in EN 16931 and lowered to warning by customLevel: still accepted
    (
        "ubl unit code unknown (customLevel warning)",
        UBL_FILE,
        set_attribute("//cbc:InvoicedQuantity", "unitCode", "QQ9"),
    ),
    (
        "cii unit code unknown (customLevel warning)",
        CII_FILE,
        set_attribute("//ram:BilledQuantity", "unitCode", "QQ9"),
    ),
    # Extension scenario: BR-CL-24 (attachment MIME code) lowered to information
    (
        "ubl extension, no BuyerReference",
        UBL_FILE,
        both(
            set_text(UBL_ID, lambda text: text + EXTENSION),
            remove("/ubl:Invoice/cbc:BuyerReference"),
        ),
    ),
    ("ubl bad invoice type code", UBL_FILE, set_text("/ubl:Invoice/cbc:InvoiceTypeCode", "999")),
    ("ubl schema violation", UBL_FILE, add_unknown_element),
    ("ubl EN 16931 only scenario", UBL_FILE, set_text(UBL_ID, "urn:cen.eu:en16931:2017")),
    (
        "ubl EN 16931 only, wrong totals",
        UBL_FILE,
        both(
            set_text(UBL_ID, "urn:cen.eu:en16931:2017"),
            set_text("/ubl:Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount", "1.00"),
        ),
    ),
    ("ubl unknown CustomizationID", UBL_FILE, set_text(UBL_ID, "urn:example:unknown")),
]


@contextmanager
def full_report(validator: Validator, value: bool) -> Iterator[None]:
    before = validator.full_report
    validator.full_report = value
    try:
        yield
    finally:
        validator.full_report = before


def both_paths(validator: Validator, data: bytes) -> tuple[ValidationResult, ValidationResult]:
    with full_report(validator, False):
        fast = validator.validate_bytes(data, name="doc.xml")
    with full_report(validator, True):
        full = validator.validate_bytes(data, name="doc.xml")
    return fast, full


def comparable(result: ValidationResult) -> dict[str, Any]:
    return asdict(replace(result, duration_ms=0.0))


@pytest.mark.parametrize("path", FILES, ids=[f.name for f in FILES])
def test_testsuite_same_on_both_paths(validator: Validator, path: Path) -> None:
    fast, full = both_paths(validator, path.read_bytes())
    assert comparable(fast) == comparable(full)
    assert fast.verdict == "accept"


@pytest.mark.parametrize(
    ("base", "edit"), [(b, e) for _, b, e in VARIANTS], ids=[n for n, _, _ in VARIANTS]
)
def test_variant_same_on_both_paths(validator: Validator, base: Path, edit: Edit) -> None:
    fast, full = both_paths(validator, edited(base, edit))
    assert comparable(fast) == comparable(full)


def test_variants_cover_accept_warning_and_reject(validator: Validator) -> None:
    """The variants above are not all rejects: the shortcut is tested on both answers."""
    results = {name: validator.validate_bytes(edited(base, edit)) for name, base, edit in VARIANTS}
    warned = results["ubl unit code unknown (customLevel warning)"]
    assert warned.verdict == "accept"
    assert ("BR-CL-23", "warning") in {(f.rule, f.level) for f in warned.findings}
    assert results["ubl extension, no BuyerReference"].scenario is not None
    assert results["ubl EN 16931 only scenario"].verdict == "accept"
    assert results["ubl EN 16931 only, wrong totals"].verdict == "reject"
    assert results["ubl unknown CustomizationID"].scenario is None
    assert sum(r.verdict == "reject" for r in results.values()) >= len(UBL_CASES) + len(CII_CASES)


def test_shortcut_applies_to_every_xrechnung_scenario(validator: Validator) -> None:
    for scenario in validator.config.scenarios:
        plan = fastpath.plan(scenario)
        assert plan.shortcut, (scenario.name, plan.why_not)
        assert not plan.fallback


@pytest.mark.parametrize("path", FILES[::7], ids=[f.name for f in FILES[::7]])
def test_selector_same_as_one_by_one(validator: Validator, path: Path) -> None:
    selector = fastpath.Selector(validator.config.scenarios)
    for data in (path.read_bytes(), edited(UBL_FILE, set_text(UBL_ID, "urn:example:x"))):
        with saxon.LOCK:
            node = saxon.processor().parse_xml(xml_text=data.decode("utf-8"))
            assert selector.select(node) is selector._one_by_one(node)


# -- the conditions of the shortcut, on scenarios edited in memory ----------------------------


def edited_scenario(validator: Validator, change: Any) -> Any:
    scenario = validator.config.scenarios[0]
    element = etree.fromstring(etree.tostring(scenario.element))
    change(element)
    return replace(scenario, element=element)


def test_custom_level_is_read_like_the_report(validator: Validator) -> None:
    def change(element: etree._Element) -> None:
        report = element.find(f"{{{S}}}createReport")
        etree.SubElement(report, f"{{{S}}}customLevel", level="information").text = " BR-X "
        etree.SubElement(report, f"{{{S}}}customLevel").text = "BR-Y"
        etree.SubElement(report, f"{{{S}}}customLevel", level="warning").text = "BR-X BR-Z"

    levels = fastpath.CustomLevels.of(edited_scenario(validator, change))
    assert levels.level("BR-CL-23", "error") == "warning"  # from the pack
    assert levels.level("BR-Y", "error") == ""  # no @level: the report's value-of gives ''
    assert levels.ambiguous("BR-X")  # listed twice: the report stylesheet fails
    assert levels.level("", "error") == "information"  # tokenize(' BR-X ') starts with ''
    assert levels.level("BR-Q", "error") == "error"


def test_shortcut_refused_for_other_reports(validator: Validator, tmp_path: Path) -> None:
    scenario = validator.config.scenarios[0]
    assert scenario.report is not None
    copy = tmp_path / "report.xsl"
    copy.write_bytes(scenario.report.read_bytes().replace(b"rep:accept", b"rep:accept "))
    assert "unknown report" in fastpath.plan(replace(scenario, report=copy)).why_not
    other_match = replace(scenario, accept_match="/rep:report/rep:assessment/rep:accept")
    assert not fastpath.plan(other_match).shortcut

    def two_names(element: etree._Element) -> None:
        name = element.find(f"{{{S}}}name")
        name.append(etree.Comment("x"))
        name[0].tail = "tail"

    assert not fastpath.plan(edited_scenario(validator, two_names)).shortcut


def test_ambiguous_code_runs_the_report(validator: Validator) -> None:
    plan = fastpath.plan(validator.config.scenarios[0])
    ambiguous = replace(plan, levels=fastpath.CustomLevels({"BR-1": ("warning", "error")}))
    svrl = etree.fromstring(f'<schematron-output xmlns="{fastpath.SVRL_NS}"/>')
    assert ambiguous.verdict([("BR-1", "warning")], [svrl]) is None
    assert plan.verdict([("BR-1", "warning")], [svrl]) is True
    assert plan.verdict([("BR-1", "error")], [svrl]) is False
    assert plan.verdict([], [etree.fromstring("<other/>")]) is None
    assert replace(plan, fallback=True).verdict([], [svrl]) is False
