"""The KoSIT validator configuration (``scenarios.xml``) as Python objects."""

from __future__ import annotations

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
