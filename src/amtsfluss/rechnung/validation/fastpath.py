"""The warm path of a validation: scenario selection in one call, and KoSIT's verdict without
running KoSIT's report stylesheet wherever that provably gives the same answer.

Why the report step can be skipped (see docs/design/rechnung-validation.md, "Performance"):
with ``acceptMatch`` ``/rep:report/rep:assessment[1]/rep:accept[1]``, the verdict of
``xrechnung-report.xsl`` (importing ``default-report.xsl``) is *accept* iff a scenario matched,
its name does not contain "fallback", and no ``rep:message`` has the custom level ``error``.
The messages are the XML Schema errors (code ``generic-error``, or the ``cvc-…`` prefix of a
Xerces message) and the ``failed-assert``/``successful-report`` children of each
``svrl:schematron-output`` (code ``@id``, else ``UNSPECIFIC``; level from ``@flag``/``@role``);
the custom level is the ``@level`` of the one ``s:customLevel`` of the scenario listing the code
(missing ``@level``: the empty string), else the message's own level. The report stylesheet
fails instead of answering when a code is listed by two ``customLevel`` elements, when an SVRL
result has no ``schematron-output`` root, or when the scenario name has several text nodes;
in these cases, for any other report stylesheet (checked by digest) and for any other
``acceptMatch``, the report is run.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from amtsfluss.rechnung.validation import saxon
from amtsfluss.rechnung.validation.hardening import hardened_parser
from amtsfluss.rechnung.validation.scenarios import NS as SCENARIOS_NS
from amtsfluss.rechnung.validation.scenarios import Scenario

SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
VARL_NS = "http://www.xoev.de/de/validator/varl/1"
XSL_NS = "http://www.w3.org/1999/XSL/Transform"
ACCEPT_MATCH = "/rep:report/rep:assessment[1]/rep:accept[1]"
SCHEMATRON_OUTPUT = f"{{{SVRL_NS}}}schematron-output"
MESSAGES = (f"{{{SVRL_NS}}}failed-assert", f"{{{SVRL_NS}}}successful-report")

#: Digests (:func:`report_digest`) of report stylesheets whose verdict was read and found to be
#: the rule above: xrechnung-report.xsl + default-report.xsl of validator-configuration-xrechnung
#: 3.0.2 (2026-02-04). A new release's report is run in full until its XSL is read and added.
KNOWN_REPORTS = frozenset(
    {"d75880cd8623ade5f1d9be141d47d7da7ade8879f17d58b865cb34cd0ca19ff7"},
)

_XPATH_SPACE = re.compile("[ \t\n\r]+")  # \s in XPath regular expressions
_XSL_PREFIX = "amtsfluss-xsl"  # the selector's prefix for XSLT, unlikely in scenarios.xml
_NCNAME = re.compile(r"[A-Za-z_][\w.\-]*\Z")


# -- customLevel, exactly as default-report.xsl's rep:custom-level() ----------------------------


@dataclass(frozen=True)
class CustomLevels:
    """For each code: the ``@level`` of every ``s:customLevel`` of the scenario listing it."""

    by_code: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, scenario: Scenario) -> CustomLevels:
        found: dict[str, list[str]] = {}
        for element in scenario.element.iter(f"{{{SCENARIOS_NS}}}customLevel"):
            text = element.xpath("string(.)")  # tokenize(., '\s+'): '' for a leading space
            for code in set(_XPATH_SPACE.split(text) if text else []):
                found.setdefault(code, []).append(element.get("level", ""))
        return cls({code: tuple(levels) for code, levels in found.items()})

    def level(self, code: str, level: str) -> str:
        listed = self.by_code.get(code)
        return listed[0] if listed else level

    def ambiguous(self, code: str) -> bool:
        """The report stylesheet fails on such a code (``element(s:customLevel)?``)."""
        return len(self.by_code.get(code, ())) > 1


def xsd_code(message: str) -> str:
    """The ``@code`` default-report.xsl gives an XML Schema message."""
    return message.split(": ")[0] if message.startswith("cvc-") else "generic-error"


def svrl_messages(svrl: etree._Element) -> Iterable[tuple[str, etree._Element]]:
    """(code, element) of each message the report takes from one SVRL result."""
    for item in svrl:
        if item.tag in MESSAGES:
            code = item.get("id")
            yield ("UNSPECIFIC" if code is None else code), item


# -- may the report be skipped? -----------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What is known about one scenario before any document is seen."""

    levels: CustomLevels
    #: the verdict may be computed here (the report stylesheet and acceptMatch are known ones)
    shortcut: bool
    #: the scenario's name contains "fallback": the report always says reject
    fallback: bool
    why_not: str = ""

    def verdict(
        self, messages: Sequence[tuple[str, str]], svrl_docs: Sequence[etree._Element]
    ) -> bool | None:
        """Accept (True) or reject (False) as the report would say, from (code, level after
        customLevel) of every message; None when only running the report can tell."""
        if not self.shortcut:
            return None
        if any(svrl.tag != SCHEMATRON_OUTPUT for svrl in svrl_docs):
            return None
        if any(self.levels.ambiguous(code) for code, _ in messages):
            return None
        if self.fallback:
            return False
        return not any(level == "error" for _, level in messages)


def plan(scenario: Scenario) -> Plan:
    levels = CustomLevels.of(scenario)
    why_not = _why_not(scenario)
    names = scenario.element.findall(f"{{{SCENARIOS_NS}}}name")
    text = (names[0].text or "") if len(names) == 1 else ""
    fallback = "fallback" in " ".join(_XPATH_SPACE.split(text.lower())).strip()
    return Plan(levels=levels, shortcut=not why_not, fallback=fallback, why_not=why_not)


def _why_not(scenario: Scenario) -> str:
    if scenario.report is None or not scenario.accept_match:
        return "no createReport/acceptMatch"
    if " ".join(scenario.accept_match.split()) != ACCEPT_MATCH:
        return f"acceptMatch {scenario.accept_match!r}"
    if scenario.namespaces.get("rep") != VARL_NS:
        return "prefix rep is not the VARL namespace"
    names = scenario.element.findall(f"{{{SCENARIOS_NS}}}name")
    if len(names) != 1 or len(names[0]):
        return "scenario name is not one plain text"
    digest = report_digest(scenario.report)
    if digest not in KNOWN_REPORTS:
        return f"unknown report stylesheet (digest {digest})"
    return ""


_digests: dict[Path, str] = {}


def report_digest(path: Path) -> str:
    """SHA-256 over the stylesheet and everything it imports or includes (by file name)."""
    digest = _digests.get(path)
    if digest is None:
        parts: list[str] = []
        _collect(path.resolve(), parts, set())
        digest = _digests[path] = hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()
    return digest


def _collect(path: Path, parts: list[str], seen: set[Path]) -> None:
    if path in seen:
        return
    seen.add(path)
    data = path.read_bytes()
    parts.append(f"{path.name} {hashlib.sha256(data).hexdigest()}")
    root = etree.fromstring(data, hardened_parser())
    for element in root.iter(f"{{{XSL_NS}}}import", f"{{{XSL_NS}}}include"):
        target = (path.parent / element.get("href", "")).resolve()
        if target.is_file():
            _collect(target, parts, seen)
        else:
            parts.append(f"missing {element.get('href')}")


# -- scenario selection -------------------------------------------------------------------------


class Selector:
    """The first scenario whose ``match`` holds, found by one compiled stylesheet.

    The stylesheet is an ``xsl:choose`` over the matches in order, each ``xsl:when`` declaring
    its scenario's namespaces, so it answers exactly as evaluating them one by one. Scenario
    namespaces that cannot be declared like that (a default namespace, ``xml…`` prefixes), or
    a match that does not compile, fall back to one cached XPath processor per scenario.
    """

    def __init__(self, scenarios: Sequence[Scenario]) -> None:
        self.scenarios = tuple(scenarios)
        self._text = self._stylesheet() if self._declarable() else ""
        self._key = "selector " + hashlib.sha256(self._text.encode()).hexdigest()
        self._compiles: bool | None = None if self._text else False

    def select(self, node: Any) -> Scenario | None:
        """Call with ``saxon.LOCK`` held."""
        if self._compiles is None:
            try:
                saxon.stylesheet_text(self._key, self._text)
                self._compiles = True
            except Exception:  # a match Saxon cannot compile: the one-by-one path reports it
                self._compiles = False
        if not self._compiles:
            return self._one_by_one(node)
        selector = saxon.stylesheet_text(self._key, self._text)
        index = int(selector.transform_to_string(xdm_node=node))
        return self.scenarios[index] if index >= 0 else None

    def _one_by_one(self, node: Any) -> Scenario | None:
        for scenario in self.scenarios:
            xpath = saxon.xpath(scenario.namespaces)
            xpath.set_context(xdm_item=node)
            if xpath.effective_boolean_value(scenario.match):
                return scenario
        return None

    def _declarable(self) -> bool:
        return all(
            _NCNAME.match(prefix) and not prefix.lower().startswith("xml") and prefix != _XSL_PREFIX
            for scenario in self.scenarios
            for prefix in scenario.namespaces
        )

    def _stylesheet(self) -> str:
        xsl = f"{{{XSL_NS}}}"
        top = etree.Element(f"{xsl}stylesheet", version="3.0", nsmap={_XSL_PREFIX: XSL_NS})
        etree.SubElement(top, f"{xsl}output", method="text")
        template = etree.SubElement(top, f"{xsl}template", match="/")
        choose = etree.SubElement(template, f"{xsl}choose")
        for index, scenario in enumerate(self.scenarios):
            when = etree.SubElement(
                choose, f"{xsl}when", test=scenario.match, nsmap=dict(scenario.namespaces)
            )
            when.text = str(index)
        etree.SubElement(choose, f"{xsl}otherwise").text = "-1"
        return str(etree.tostring(top, encoding="unicode"))
