"""The KoSIT validator configuration (``scenarios.xml``) as Python objects."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]

from amtsfluss.core.errors import ServiceError
from amtsfluss.rechnung.validation.hardening import hardened_parser

NS = "http://www.xoev.de/de/validator/framework/1/scenarios"
_S = {"s": NS}


@dataclass(frozen=True)
class Scenario:
    name: str
    namespaces: dict[str, str]
    match: str
    xml_schema: Path | None
    schematron: tuple[tuple[str, Path], ...]
    report: Path | None
    custom_levels: dict[str, str]
    accept_match: str | None
    element: etree._Element = field(repr=False, compare=False)


@dataclass(frozen=True)
class Configuration:
    root: Path
    name: str
    date: str
    scenarios: tuple[Scenario, ...]
    no_scenario_report: Path | None

    def stylesheets(self) -> list[Path]:
        paths: list[Path] = []
        for scenario in self.scenarios:
            paths.extend(path for _, path in scenario.schematron)
            if scenario.report is not None:
                paths.append(scenario.report)
        return list(dict.fromkeys(paths))


def _location(root: Path, resource: etree._Element | None) -> Path | None:
    if resource is None:
        return None
    location = (resource.findtext("s:location", namespaces=_S) or "").strip()
    path = (root / location).resolve()
    if not location or not path.is_relative_to(root.resolve()) or not path.is_file():
        raise ServiceError(f"Regelwerk unvollständig: Ressource {location!r} fehlt.")
    return path


def load_configuration(root: Path) -> Configuration:
    """Parse ``root/scenarios.xml``; every referenced resource must exist inside ``root``."""
    path = root / "scenarios.xml"
    if not path.is_file():
        raise ServiceError(f"{root} enthält keine scenarios.xml (KoSIT-Prüfkonfiguration).")
    try:
        doc = etree.parse(str(path), hardened_parser())
    except etree.XMLSyntaxError as exc:
        raise ServiceError(f"scenarios.xml ist kein wohlgeformtes XML: {exc}") from exc
    top = doc.getroot()
    if top.tag != f"{{{NS}}}scenarios":
        raise ServiceError("scenarios.xml hat nicht das KoSIT-Format (Namespace/Wurzelelement).")
    scenarios = []
    for element in top.findall("s:scenario", _S):
        custom: dict[str, str] = {}
        for cl in element.findall("s:createReport/s:customLevel", _S):
            for code in (cl.text or "").split():
                custom[code] = cl.get("level", "error")
        scenarios.append(
            Scenario(
                name=" ".join((element.findtext("s:name", namespaces=_S) or "").split()),
                namespaces={
                    ns.get("prefix", ""): (ns.text or "").strip()
                    for ns in element.findall("s:namespace", _S)
                },
                match=(element.findtext("s:match", namespaces=_S) or "").strip(),
                xml_schema=_location(root, element.find("s:validateWithXmlSchema/s:resource", _S)),
                schematron=tuple(
                    (
                        " ".join((res.findtext("s:name", namespaces=_S) or "").split()),
                        _location(root, res),  # type: ignore[misc]
                    )
                    for res in element.findall("s:validateWithSchematron/s:resource", _S)
                ),
                report=_location(root, element.find("s:createReport/s:resource", _S)),
                custom_levels=custom,
                accept_match=(element.findtext("s:acceptMatch", namespaces=_S) or "").strip()
                or None,
                element=element,
            )
        )
    if not scenarios:
        raise ServiceError("scenarios.xml enthält keine Szenarien.")
    return Configuration(
        root=root,
        name=" ".join((top.findtext("s:name", namespaces=_S) or "").split()),
        date=(top.findtext("s:date", namespaces=_S) or "").strip(),
        scenarios=tuple(scenarios),
        no_scenario_report=_location(root, top.find("s:noScenarioReport/s:resource", _S)),
    )


# -- what a CustomizationID (specification identifier, BT-24) says ------------------------------

ZUGFERD1_NS = "urn:ferd:CrossIndustryDocument:invoice:1p0"

BELOW_EN16931 = {
    "urn:factur-x.eu:1p0:minimum": "Factur-X MINIMUM",
    "urn:factur-x.eu:1p0:basicwl": "Factur-X BASIC WL",
    "urn:zugferd.de:2p0:minimum": "ZUGFeRD 2.0 MINIMUM",
    "urn:zugferd.de:2p0:basicwl": "ZUGFeRD 2.0 BASIC WL",
}
"""Profiles that carry less than the EN 16931 core invoice: no e-invoice in the legal sense."""


def profile_below_en16931(customization_id: str | None, root_namespace: str) -> str | None:
    """The name of the profile when it lies below EN 16931 (MINIMUM, BASIC WL, ZUGFeRD 1.0)."""
    if root_namespace == ZUGFERD1_NS or (customization_id or "").startswith("urn:ferd:"):
        return "ZUGFeRD 1.0"
    return BELOW_EN16931.get(customization_id or "")


def invalid_accept_patterns(patterns: Iterable[str]) -> list[str]:
    """Patterns that are neither exact identifiers nor a prefix ending in one ``*``."""
    return [p for p in patterns if not p.strip() or "*" in p[:-1] or p != p.strip()]


def customization_accepted(customization_id: str | None, patterns: Iterable[str]) -> bool:
    """Whether ``customization_id`` equals a pattern, or starts with a pattern's ``*`` prefix."""
    if customization_id is None:
        return False
    for pattern in patterns:
        if pattern.endswith("*"):
            if customization_id.startswith(pattern[:-1]):
                return True
        elif customization_id == pattern:
            return True
    return False
