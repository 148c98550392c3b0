"""The XRechnung/EN 16931 validator: KoSIT scenario semantics, in-process.

Flow per document (mirrors the KoSIT validator, see docs/design/rechnung-validation.md):
size limit → PDF: embedded XML extracted in a limited child (pdf.py) → prolog check
(no DOCTYPE) → well-formedness (hardened lxml) → profile check (below EN 16931?) →
scenario selection (first ``match`` that is true, XPath 2 via Saxon) → XML Schema (lxml) →
Schematron XSLTs (Saxon, document as global context item) → KoSIT report
(``createReport`` XSLT over a ``createReportInput`` document) → ``acceptMatch`` over the report.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from lxml import etree  # type: ignore[import-untyped]

from amtsfluss.rechnung.validation import fastpath, partner, pdf, saxon
from amtsfluss.rechnung.validation.hardening import MAX_BYTES, hardened_parser, prolog_problem
from amtsfluss.rechnung.validation.scenarios import (
    NS as SCENARIOS_NS,
)
from amtsfluss.rechnung.validation.scenarios import (
    ZUGFERD1_NS,
    Configuration,
    Scenario,
    customization_accepted,
    load_configuration,
    profile_below_en16931,
)
from amtsfluss.rechnung.validation.split import SplitSchematron, run_whole

SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
IN_NS = "http://www.xoev.de/de/validator/framework/1/createreportinput"
UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDITNOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CII = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
ZUGFERD1_RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12"

SYNTAXES = {
    f"{{{UBL_INVOICE}}}Invoice": "ubl-invoice",
    f"{{{UBL_CREDITNOTE}}}CreditNote": "ubl-creditnote",
    f"{{{CII}}}CrossIndustryInvoice": "cii",
}

# Findings of amtsfluss itself (not from the KoSIT rules).
RULE_SIZE = "AF-SIZE"
RULE_PDF = pdf.RULE_PDF  # also AF-NO-EINVOICE and AF-LIMIT, see pdf.py
RULE_PROFILE = "AF-PROFILE"
RULE_NOT_ACCEPTED = "AF-NOT-ACCEPTED"
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
    embedded_file: str | None = None  # ZUGFeRD/Factur-X: the PDF attachment validated

    @property
    def accepted(self) -> bool:
        return self.verdict == "accept"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("duration_ms")
        data.pop("embedded_file")  # the JSON contract stays as documented
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

    #: run KoSIT's report stylesheet for every verdict, never the shortcut (``fastpath.py``)
    full_report: bool = False

    def __init__(
        self,
        root: Path,
        *,
        lock_saxon: bool = True,
        full_report: bool = False,
        split_bytes: int | None = None,
    ) -> None:
        """``split_bytes``: documents from this size on share their Schematron with a partner
        process (``partner.py``); 0 never; ``None``: ``AMTSFLUSS_ERECHNUNG_SPLIT_BYTES`` or
        256 KiB."""
        started = time.perf_counter()
        self.full_report = full_report
        self.split_bytes = partner.split_bytes() if split_bytes is None else split_bytes
        self.config: Configuration = load_configuration(root)
        self._schemas: dict[Path, etree.XMLSchema] = {}
        for scenario in self.config.scenarios:
            if scenario.xml_schema is not None and scenario.xml_schema not in self._schemas:
                schema_doc = etree.parse(str(scenario.xml_schema), hardened_parser())
                self._schemas[scenario.xml_schema] = etree.XMLSchema(schema_doc)
        with saxon.LOCK:
            for path in self.config.stylesheets():
                saxon.stylesheet(path)
            if lock_saxon:  # a Registry locks once all of its packs are compiled
                saxon.lock_protocols()
        schematron = [path for s in self.config.scenarios for _, path in s.schematron]
        self.split = SplitSchematron(list(dict.fromkeys(schematron)))
        self.compile_seconds = time.perf_counter() - started

    # -- entry points -------------------------------------------------------------------------

    def validate_file(
        self, path: Path, *, accept: Collection[str] | None = None
    ) -> ValidationResult:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return refused(str(path), RULE_SIZE, size_message(size))
        return self.validate_bytes(path.read_bytes(), name=str(path), accept=accept)

    def validate_bytes(
        self, data: bytes, *, name: str = "<bytes>", accept: Collection[str] | None = None
    ) -> ValidationResult:
        """Validate an XML e-invoice or a ZUGFeRD/Factur-X PDF.

        ``accept``: the CustomizationIDs the recipient accepts (exact, or a prefix ending in
        ``*``); ``None`` accepts every identifier the rule pack knows.
        """
        started = time.perf_counter()
        prepared = prepare_document(data, name)
        result = prepared if isinstance(prepared, ValidationResult) else self.check(prepared)
        apply_accepted(result, accept)
        result.duration_ms = (time.perf_counter() - started) * 1000
        return result

    # -- steps --------------------------------------------------------------------------------

    def check(self, prepared: PreparedDocument, node: Any = None) -> ValidationResult:
        """Scenario, XML Schema, Schematron and verdict for a document that passed the intake
        (``node``: the document already parsed by Saxon, when the caller has it)."""
        result = prepared.result
        with saxon.LOCK:
            try:
                self._run(prepared.tree, prepared.text, result, node)
            except Exception as exc:  # Saxon raises its own PySaxonApiError
                result.verdict = "reject"
                result.findings.append(
                    Finding(RULE_INTERNAL, ERROR, f"Prüfung abgebrochen: {type(exc).__name__}")
                )
        return result

    def _run(
        self, tree: etree._ElementTree, text: str, result: ValidationResult, node: Any = None
    ) -> None:
        if node is None:
            node = saxon.processor().parse_xml(xml_text=text)
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
        plan = self._plan(scenario)
        messages: list[tuple[str, str]] = []  # (code, level) as KoSIT's report has them
        xsd_errors: list[Any] = []
        if scenario.xml_schema is not None:
            schema = self._schemas[scenario.xml_schema]
            if not schema.validate(tree):
                xsd_errors = list(schema.error_log)
        for error in xsd_errors:
            code = fastpath.xsd_code(error.message)
            messages.append((code, plan.levels.level(code, ERROR)))
            result.findings.append(
                Finding(
                    RULE_XSD,
                    messages[-1][1],
                    " ".join(error.message.split()),
                    error.path or f"Zeile {error.line}",
                )
            )
        svrl_docs: list[etree._Element] = []
        if not xsd_errors:  # KoSIT runs Schematron only on schema-valid documents
            for svrl in self._schematron(scenario, node, text):
                svrl_docs.append(svrl)
                for code, finding in _svrl_findings(svrl, plan.levels):
                    messages.append((code, finding.level))
                    result.findings.append(finding)
        if scenario.report is None or not scenario.accept_match:
            accept = _assessment(scenario, result.findings)
        else:
            shortcut = None if self.full_report else plan.verdict(messages, svrl_docs)
            if shortcut is None:
                report = self._report(scenario, node, xsd_errors, svrl_docs)
                shortcut = _xpath_true(report, scenario.accept_match, scenario.namespaces)
            accept = shortcut
        result.verdict = "accept" if accept else "reject"

    def _schematron(self, scenario: Scenario, node: Any, text: str) -> list[etree._Element]:
        """The SVRL of each of the scenario's Schematron stylesheets, in order; a large document
        shares the work with the partner process (the same SVRL, see ``patterns.py``)."""
        paths = [path for _, path in scenario.schematron]
        if self.split_bytes and len(text) >= self.split_bytes:
            return self.split.run(paths, node, text)
        return [run_whole(path, node) for path in paths]

    _selector: fastpath.Selector | None = None
    _plans: dict[int, fastpath.Plan] | None = None

    def _plan(self, scenario: Scenario) -> fastpath.Plan:
        if self._plans is None:
            self._plans = {}
        found = self._plans.get(id(scenario))
        if found is None:
            found = self._plans[id(scenario)] = fastpath.plan(scenario)
        return found

    def matches(self, node: Any) -> bool:
        """Whether one of this pack's scenarios applies to the (Saxon-parsed) document."""
        return self._select(node) is not None

    def _select(self, node: Any) -> Scenario | None:
        if self._selector is None:
            self._selector = fastpath.Selector(self.config.scenarios)
        return self._selector.select(node)

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


def _xpath_true(node: Any, expression: str, namespaces: dict[str, str]) -> bool:
    xpath = saxon.xpath(namespaces)
    xpath.set_context(xdm_item=node)
    return bool(xpath.effective_boolean_value(expression))


def _customization_id(root: etree._Element) -> str | None:
    if root.tag == f"{{{CII}}}CrossIndustryInvoice":
        value = root.findtext(
            "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID",
            namespaces={"rsm": CII, "ram": RAM},
        )
    elif root.tag == f"{{{ZUGFERD1_NS}}}CrossIndustryDocument":
        value = root.findtext(
            "rsm:SpecifiedExchangedDocumentContext/"
            "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID",
            namespaces={"rsm": ZUGFERD1_NS, "ram": ZUGFERD1_RAM},
        )
    else:
        value = root.findtext(f"{{{CBC}}}CustomizationID")
    return value.strip() if value else None


def _svrl_findings(
    svrl: etree._Element, levels: fastpath.CustomLevels
) -> list[tuple[str, Finding]]:
    """(KoSIT's message code, finding) of each message of one SVRL result, as the report
    takes them: children of ``svrl:schematron-output``, level after ``customLevel``."""
    findings = []
    for code, item in fastpath.svrl_messages(svrl):
        level = levels.level(code, svrl_level(item.get("flag"), item.get("role")))
        text = _text(item.find(f"{{{SVRL_NS}}}text"))
        findings.append(
            (code, Finding(code or "UNSPECIFIC", level, text, item.get("location", "")))
        )
    return findings


def _assessment(scenario: Scenario, findings: list[Finding]) -> bool:
    """KoSIT default-report.xsl's accept rule: no error after customLevel, no 'fallback'."""
    if "fallback" in scenario.name.lower():
        return False
    return not any(f.level == ERROR for f in findings)


def size_message(size: int) -> str:
    return (
        f"Datei zu groß ({size / 1024 / 1024:.1f} MiB, höchstens "
        f"{MAX_BYTES // 1024 // 1024} MiB); nicht gelesen."
    )


def default_validator(root: Path, *, lock_saxon: bool = True) -> Validator:
    """One warm validator per rule pack and process (see also ``registry.default_registry``)."""
    key = root.resolve()
    validator = _validators.get(key)
    if validator is None:
        validator = _validators[key] = Validator(key, lock_saxon=lock_saxon)
    return validator


_validators: dict[Path, Validator] = {}


# -- intake: the checks before any rule pack is involved ------------------------------------------


@dataclass
class PreparedDocument:
    """A well-formed XML e-invoice without DOCTYPE, ready for a rule pack."""

    tree: etree._ElementTree
    text: str
    result: ValidationResult


def refused(name: str, rule: str, message: str) -> ValidationResult:
    return ValidationResult(file=name, findings=[Finding(rule, ERROR, message)])


def prepare_document(data: bytes, name: str) -> PreparedDocument | ValidationResult:
    """Size limit, PDF extraction (ZUGFeRD/Factur-X), hardened XML checks, profile check.

    Returns the refusal as a ``ValidationResult`` when the document cannot be validated.
    """
    if len(data) > MAX_BYTES:
        return refused(name, RULE_SIZE, size_message(len(data)))
    if not pdf.is_pdf(data):
        return _prepare_xml(data, name)
    embedded = pdf.extract_invoice_xml(data)
    if isinstance(embedded, pdf.PdfRefusal):
        return refused(name, embedded.rule, embedded.message)
    prepared = _prepare_xml(embedded.data, name)
    result = prepared if isinstance(prepared, ValidationResult) else prepared.result
    result.embedded_file = embedded.name
    return prepared


def _prepare_xml(data: bytes, name: str) -> PreparedDocument | ValidationResult:
    problem = prolog_problem(data)
    if problem is not None:
        rule = RULE_PROLOG if "DOCTYPE" in problem or "Deklaration" in problem else RULE_XML
        return refused(name, rule, f"Abgelehnt vor dem Parsen: {problem}")
    try:
        tree = etree.ElementTree(etree.fromstring(data, hardened_parser()))
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        return refused(name, RULE_XML, f"Kein wohlgeformtes XML (Zeile {line}, Spalte {column}).")
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:  # defence in depth
        return refused(name, RULE_PROLOG, "DOCTYPE-Deklarationen sind nicht erlaubt.")
    root = tree.getroot()
    result = ValidationResult(file=name, syntax=SYNTAXES.get(root.tag))
    result.customization_id = _customization_id(root)
    profile = profile_below_en16931(result.customization_id, etree.QName(root).namespace or "")
    if profile is not None:
        result.findings.append(
            Finding(
                RULE_PROFILE,
                ERROR,
                _(
                    "Profile %(profile)s (%(id)s) is below EN 16931 and not a valid e-invoice "
                    "for a public body."
                )
                % {"profile": profile, "id": result.customization_id or "-"},
            )
        )
        return result
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
    try:
        text = data.decode(tree.docinfo.encoding or "utf-8").lstrip("\ufeff")
    except (LookupError, UnicodeDecodeError):  # an encoding libxml2 knows and Python does not
        return refused(
            name,
            RULE_XML,
            f"Zeichenkodierung {tree.docinfo.encoding!r} wird nicht unterstützt "
            "(erwartet UTF-8, UTF-16 oder ISO-8859-x).",
        )
    return PreparedDocument(tree=tree, text=text, result=result)


def apply_accepted(result: ValidationResult, accept: Collection[str] | None) -> None:
    """Reject an invoice whose CustomizationID the recipient does not accept (AF-NOT-ACCEPTED)."""
    if accept is None or result.syntax is None:
        return
    if customization_accepted(result.customization_id, accept):
        return
    result.verdict = "reject"
    result.findings.append(
        Finding(
            RULE_NOT_ACCEPTED,
            ERROR,
            _(
                "The specification identifier (CustomizationID) %(id)s is not accepted by this "
                "recipient. Accepted: %(accepted)s."
            )
            % {
                "id": result.customization_id or "-",
                "accepted": ", ".join(accept) or "-",
            },
        )
    )
