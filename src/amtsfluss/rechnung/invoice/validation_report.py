"""The validation result as the report include shows it: errors first, readable locations."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# SVRL locations as Saxon writes them: /*:Invoice[namespace-uri()='urn:…'][1]/*:ID[…][1]
# or /Q{urn:…}Invoice[1]/Q{urn:…}ID[1].
_NAMESPACE_TEST = re.compile(r"\[namespace-uri\(\)='[^']*'\]")
_EQNAME = re.compile(r"Q\{[^}]*\}")
_LEVEL_ORDER = {"error": 0, "warning": 1}


@dataclass(frozen=True)
class ReportFinding:
    rule: str
    level: str
    message: str
    location: str


@dataclass(frozen=True)
class ValidationView:
    verdict: str
    scenario: str
    customization_id: str
    findings: tuple[ReportFinding, ...]


def short_location(xpath: str) -> str:
    """``/*:Invoice[namespace-uri()='…'][1]/*:ID[namespace-uri()='…'][1]`` → ``/Invoice/ID``."""
    readable = _EQNAME.sub("", _NAMESPACE_TEST.sub("", xpath)).replace("*:", "")
    return readable.replace("[1]", "")


def _get(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


def validation_view(result: Any) -> ValidationView:
    """A ``ValidationResult`` (or its ``to_dict()``) ready for the report include."""
    findings = [
        ReportFinding(
            rule=str(_get(f, "rule") or ""),
            level=str(_get(f, "level") or "error"),
            message=str(_get(f, "message") or ""),
            location=short_location(str(_get(f, "location") or "")),
        )
        for f in _get(result, "findings") or ()
    ]
    findings.sort(key=lambda f: _LEVEL_ORDER.get(f.level, 2))  # stable: order kept per level
    return ValidationView(
        verdict=str(_get(result, "verdict") or "reject"),
        scenario=str(_get(result, "scenario") or ""),
        customization_id=str(_get(result, "customization_id") or ""),
        findings=tuple(findings),
    )
