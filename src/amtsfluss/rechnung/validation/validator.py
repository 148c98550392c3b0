"""The XRechnung/EN 16931 validator: KoSIT scenario semantics, in-process.

Flow per document (mirrors the KoSIT validator, see docs/design/rechnung-validation.md):
size limit → PDF sniff → prolog check (no DOCTYPE) → well-formedness (hardened lxml) →
scenario selection (first ``match`` that is true, XPath 2 via Saxon) → XML Schema (lxml) →
Schematron XSLTs (Saxon, document as global context item) → KoSIT report
(``createReport`` XSLT over a ``createReportInput`` document) → ``acceptMatch`` over the report.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from amtsfluss.rechnung.validation import saxon
from amtsfluss.rechnung.validation.hardening import MAX_BYTES, hardened_parser, prolog_problem
from amtsfluss.rechnung.validation.scenarios import (
    NS as SCENARIOS_NS,
)
from amtsfluss.rechnung.validation.scenarios import (
    Configuration,
    Scenario,
    load_configuration,
)

SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
IN_NS = "http://www.xoev.de/de/validator/framework/1/createreportinput"
UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDITNOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CII = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"

SYNTAXES = {
    f"{{{UBL_INVOICE}}}Invoice": "ubl-invoice",
    f"{{{UBL_CREDITNOTE}}}CreditNote": "ubl-creditnote",
    f"{{{CII}}}CrossIndustryInvoice": "cii",
}

# Findings of amtsfluss itself (not from the KoSIT rules).
RULE_SIZE = "AF-SIZE"
RULE_PDF = "AF-PDF"
RULE_PROLOG = "AF-DOCTYPE"
RULE_XML = "AF-XML"
RULE_SYNTAX = "AF-SYNTAX"
RULE_SCENARIO = "AF-SCENARIO"
RULE_INTERNAL = "AF-INTERNAL"
RULE_XSD = "XSD"

ERROR, WARNING, INFORMATION = "error", "warning", "information"


@dataclass
class Finding:
    rule: str
    level: str
    message: str
    location: str = ""


@dataclass
class ValidationResult:
    file: str
    syntax: str | None = None
    customization_id: str | None = None
    scenario: str | None = None
    verdict: str = "reject"
    findings: list[Finding] = field(default_factory=list)
    duration_ms: float = 0.0

    @property
    def accepted(self) -> bool:
        return self.verdict == "accept"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("duration_ms")
        return data


def svrl_level(flag: str | None, role: str | None) -> str:
    """The level KoSIT's default-report.xsl gives an SVRL message (before customLevel)."""
    values = {v for v in (flag, role) if v}
    if values & {"fatal", "error"}:
        return ERROR
    if values & {"warning", "warn"}:
        return WARNING
    if values & {"information", "info"}:
        return INFORMATION
    return ERROR


def _text(element: etree._Element | None) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


class Validator:
    """Validates e-invoices against one installed KoSIT configuration (kept warm)."""

    def __init__(self, root: Path) -> None:
        started = time.perf_counter()
        self.config: Configuration = load_configuration(root)
        self._schemas: dict[Path, etree.XMLSchema] = {}
        for scenario in self.config.scenarios:
            if scenario.xml_schema is not None and scenario.xml_schema not in self._schemas:
                schema_doc = etree.parse(str(scenario.xml_schema), hardened_parser())
                self._schemas[scenario.xml_schema] = etree.XMLSchema(schema_doc)
        with saxon.LOCK:
            for path in self.config.stylesheets():
                saxon.stylesheet(path)
            saxon.lock_protocols()
        self.compile_seconds = time.perf_counter() - started

    # -- entry points -------------------------------------------------------------------------

    def validate_file(self, path: Path) -> ValidationResult:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return self._refused(str(path), RULE_SIZE, _size_message(size))
        return self.validate_bytes(path.read_bytes(), name=str(path))

    def validate_bytes(self, data: bytes, *, name: str = "<bytes>") -> ValidationResult:
        started = time.perf_counter()
        result = self._validate(data, name)
        result.duration_ms = (time.perf_counter() - started) * 1000
        return result

    # -- steps --------------------------------------------------------------------------------

    def _refused(self, name: str, rule: str, message: str) -> ValidationResult:
        return ValidationResult(file=name, findings=[Finding(rule, ERROR, message)])

    def _validate(self, data: bytes, name: str) -> ValidationResult:
        if len(data) > MAX_BYTES:
            return self._refused(name, RULE_SIZE, _size_message(len(data)))
        if data.lstrip()[:5] == b"%PDF-":
            return self._refused(
                name,
                RULE_PDF,
                "Keine XML-E-Rechnung (PDF). Die Unterstützung für PDF/ZUGFeRD folgt "
                "(not an XML e-invoice; PDF/ZUGFeRD support follows).",
            )
        problem = prolog_problem(data)
        if problem is not None:
            rule = RULE_PROLOG if "DOCTYPE" in problem or "Deklaration" in problem else RULE_XML
            return self._refused(name, rule, f"Abgelehnt vor dem Parsen: {problem}")
        try:
            tree = etree.ElementTree(etree.fromstring(data, hardened_parser()))
        except etree.XMLSyntaxError as exc:
            line, column = exc.position
            return self._refused(
                name, RULE_XML, f"Kein wohlgeformtes XML (Zeile {line}, Spalte {column})."
            )
        if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:  # defence in depth
            return self._refused(name, RULE_PROLOG, "DOCTYPE-Deklarationen sind nicht erlaubt.")
        root = tree.getroot()
        result = ValidationResult(file=name, syntax=SYNTAXES.get(root.tag))
        result.customization_id = _customization_id(root)
        if result.syntax is None:
            result.findings.append(
                Finding(
                    RULE_SYNTAX,
                    ERROR,
                    "Unbekanntes Dokument: erwartet UBL Invoice, UBL CreditNote oder "
                    "UN/CEFACT CII (CrossIndustryInvoice).",
                )
            )
            return result
        text = data.decode(tree.docinfo.encoding or "utf-8").lstrip("\ufeff")
        with saxon.LOCK:
            try:
                self._run(tree, text, result)
            except Exception as exc:  # Saxon raises its own PySaxonApiError
                result.verdict = "reject"
                result.findings.append(
                    Finding(RULE_INTERNAL, ERROR, f"Prüfung abgebrochen: {type(exc).__name__}")
                )
        return result

    def _run(self, tree: etree._ElementTree, text: str, result: ValidationResult) -> None:
        processor = saxon.processor()
        node = processor.parse_xml(xml_text=text)
        scenario = self._select(node)
        if scenario is None:
            result.findings.append(
                Finding(
                    RULE_SCENARIO,
                    ERROR,
                    f"Kein Prüfszenario passt: Spezifikationskennung (CustomizationID) "
                    f"{result.customization_id!r} wird von "
                    f"{self.config.name or 'dem Regelwerk'} nicht unterstützt.",
                )
            )
            return
        result.scenario = scenario.name
        xsd_errors: list[Any] = []
        if scenario.xml_schema is not None:
            schema = self._schemas[scenario.xml_schema]
            if not schema.validate(tree):
                xsd_errors = list(schema.error_log)
        for error in xsd_errors:
            result.findings.append(
                Finding(
                    RULE_XSD,
                    ERROR,
                    " ".join(error.message.split()),
                    error.path or f"Zeile {error.line}",
                )
            )
        svrl_docs: list[etree._Element] = []
        if not xsd_errors:  # KoSIT runs Schematron only on schema-valid documents
            for _, path in scenario.schematron:
                output = saxon.stylesheet(path).transform_to_string(xdm_node=node)
                svrl = etree.fromstring(output.encode("utf-8"), hardened_parser())
                svrl_docs.append(svrl)
                result.findings.extend(_svrl_findings(svrl, scenario))
        python_accept = _assessment(scenario, result.findings)
        if scenario.report is not None and scenario.accept_match:
            report = self._report(scenario, node, xsd_errors, svrl_docs)
            accept = _xpath_true(processor, report, scenario.accept_match, scenario.namespaces)
        else:
            accept = python_accept
        result.verdict = "accept" if accept else "reject"

    def _select(self, node: Any) -> Scenario | None:
        for scenario in self.config.scenarios:
            if _xpath_true(saxon.processor(), node, scenario.match, scenario.namespaces):
                return scenario
        return None

    def _report(
        self,
        scenario: Scenario,
        node: Any,
        xsd_errors: list[Any],
        svrl_docs: list[etree._Element],
    ) -> Any:
        """The KoSIT report (VARL) built by the scenario's ``createReport`` stylesheet."""
        if scenario.report is None:
            raise ValueError(f"scenario {scenario.name!r} has no createReport")
        nsmap = {"in": IN_NS, "s": SCENARIOS_NS}
        top = etree.Element(f"{{{IN_NS}}}createReportInput", nsmap=nsmap)
        engine = etree.SubElement(top, f"{{{IN_NS}}}engine")
        etree.SubElement(engine, f"{{{IN_NS}}}name").text = "amtsfluss"
        top.append(_copy(scenario.element))
        wellformed = etree.SubElement(top, f"{{{IN_NS}}}validationResultsWellformedness")
        del wellformed  # no messages: the document parsed
        if scenario.xml_schema is not None:
            xsd = etree.SubElement(top, f"{{{IN_NS}}}validationResultsXmlSchema")
            xsd.append(_copy(scenario.element.find(f"{{{SCENARIOS_NS}}}validateWithXmlSchema")[0]))
            for error in xsd_errors:
                item = etree.SubElement(
                    xsd, f"{{{IN_NS}}}xmlSyntaxError", severity="SEVERITY_ERROR"
                )
                etree.SubElement(item, f"{{{IN_NS}}}message").text = error.message
                etree.SubElement(item, f"{{{IN_NS}}}rowNumber").text = str(error.line)
                etree.SubElement(item, f"{{{IN_NS}}}columnNumber").text = str(error.column)
        resources = scenario.element.findall(
            f"{{{SCENARIOS_NS}}}validateWithSchematron/{{{SCENARIOS_NS}}}resource"
        )
        for resource, svrl in zip(resources, svrl_docs, strict=False):
            sch = etree.SubElement(top, f"{{{IN_NS}}}validationResultsSchematron")
            sch.append(_copy(resource))
            etree.SubElement(sch, f"{{{IN_NS}}}results").append(svrl)
        processor = saxon.processor()
        report_input = processor.parse_xml(xml_text=etree.tostring(top, encoding="unicode"))
        executable = saxon.stylesheet(scenario.report)
        executable.set_parameter("input-document", node)
        try:
            return executable.transform_to_value(xdm_node=report_input).head
        finally:
            executable.clear_parameters()


def _copy(element: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(element), hardened_parser())


def _xpath_true(processor: Any, node: Any, expression: str, namespaces: dict[str, str]) -> bool:
    xpath = processor.new_xpath_processor()
    for prefix, uri in namespaces.items():
        xpath.declare_namespace(prefix, uri)
    xpath.set_context(xdm_item=node)
    return bool(xpath.effective_boolean_value(expression))


def _customization_id(root: etree._Element) -> str | None:
    if root.tag == f"{{{CII}}}CrossIndustryInvoice":
        value = root.findtext(
            "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID",
            namespaces={"rsm": CII, "ram": RAM},
        )
    else:
        value = root.findtext(f"{{{CBC}}}CustomizationID")
    return value.strip() if value else None


def _svrl_findings(svrl: etree._Element, scenario: Scenario) -> list[Finding]:
    findings = []
    for item in svrl.iter(f"{{{SVRL_NS}}}failed-assert", f"{{{SVRL_NS}}}successful-report"):
        code = item.get("id") or "UNSPECIFIC"
        level = svrl_level(item.get("flag"), item.get("role"))
        level = scenario.custom_levels.get(code, level)
        findings.append(
            Finding(code, level, _text(item.find(f"{{{SVRL_NS}}}text")), item.get("location", ""))
        )
    return findings


def _assessment(scenario: Scenario, findings: list[Finding]) -> bool:
    """KoSIT default-report.xsl's accept rule: no error after customLevel, no 'fallback'."""
    if "fallback" in scenario.name.lower():
        return False
    return not any(f.level == ERROR for f in findings)


def _size_message(size: int) -> str:
    return (
        f"Datei zu groß ({size / 1024 / 1024:.1f} MiB, höchstens "
        f"{MAX_BYTES // 1024 // 1024} MiB); nicht gelesen."
    )


def default_validator(root: Path) -> Validator:
    """One warm validator per rule pack and process."""
    key = root.resolve()
    validator = _validators.get(key)
    if validator is None:
        validator = _validators[key] = Validator(key)
    return validator


_validators: dict[Path, Validator] = {}
