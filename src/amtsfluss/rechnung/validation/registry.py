"""All installed rule packs side by side; each invoice is checked by the pack made for it.

A :class:`Registry` compiles every pack it holds once per process and only then locks Saxon
against file and network access (the lock is one-way in SaxonC 13, see ``saxon.py``). For each
document it runs the intake checks once, then picks the first pack — newest installation first —
that has a scenario whose ``match`` is true for the document (in practice: whose scenarios name
the invoice's CustomizationID), and lets that pack's validator decide.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from amtsfluss.core.errors import ServiceError
from amtsfluss.rechnung.validation import saxon
from amtsfluss.rechnung.validation.hardening import MAX_BYTES
from amtsfluss.rechnung.validation.rules import rule_pack, rule_packs
from amtsfluss.rechnung.validation.validator import (
    ERROR,
    RULE_SCENARIO,
    RULE_SIZE,
    Finding,
    PreparedDocument,
    ValidationResult,
    Validator,
    apply_accepted,
    default_validator,
    prepare_document,
    refused,
    size_message,
)


class Registry:
    """Validators for several rule packs, ``packs`` given newest first as ``(id, folder)``."""

    def __init__(self, packs: Sequence[tuple[str, Path]]) -> None:
        if not packs:
            rule_pack()  # raises the "no rule packs installed" error with install advice
        with saxon.LOCK:
            self.packs: dict[str, Validator] = {
                pack_id: default_validator(root, lock_saxon=False) for pack_id, root in packs
            }
            saxon.lock_protocols()

    @classmethod
    def installed(cls) -> Registry:
        """Every installed pack (``rules/index.json``), the latest installation first."""
        return cls([(pack.id, pack.path()) for pack in reversed(rule_packs())])

    def validator(self, pack_id: str) -> Validator:
        try:
            return self.packs[pack_id]
        except KeyError:
            rule_pack(pack_id)  # not installed: raises with the list of installed packs
            raise ServiceError(
                f"Regelwerk {pack_id!r} ist in diesem Prozess nicht geladen; bitte neu starten.",
                code="no_rules",
            ) from None

    def validate_file(
        self, path: Path, *, accept: Collection[str] | None = None, pack_id: str | None = None
    ) -> ValidationResult:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return refused(str(path), RULE_SIZE, size_message(size))
        return self.validate_bytes(
            path.read_bytes(), name=str(path), accept=accept, pack_id=pack_id
        )

    def validate_bytes(
        self,
        data: bytes,
        *,
        name: str = "<bytes>",
        accept: Collection[str] | None = None,
        pack_id: str | None = None,
    ) -> ValidationResult:
        """Validate with the pack chosen by the document (or with ``pack_id`` when given)."""
        if pack_id is not None:
            return self.validator(pack_id).validate_bytes(data, name=name, accept=accept)
        started = time.perf_counter()
        prepared = prepare_document(data, name)
        if isinstance(prepared, ValidationResult):
            result = prepared
        else:
            chosen = self._choose(prepared)
            if chosen is None:
                result = self._no_pack(prepared)
            else:
                validator, node = chosen
                result = validator.check(prepared, node)
        apply_accepted(result, accept)
        result.duration_ms = (time.perf_counter() - started) * 1000
        return result

    def choose(self, prepared: PreparedDocument) -> Validator | None:
        """The first pack (newest first) with a scenario whose ``match`` holds for the document."""
        chosen = self._choose(prepared)
        return None if chosen is None else chosen[0]

    def _choose(self, prepared: PreparedDocument) -> tuple[Validator, Any] | None:
        """The chosen pack, with the document parsed once by Saxon for it to go on with."""
        with saxon.LOCK:
            node = saxon.processor().parse_xml(xml_text=prepared.text)
            for validator in self.packs.values():
                if validator.matches(node):
                    return validator, node
        return None

    def _no_pack(self, prepared: PreparedDocument) -> ValidationResult:
        result = prepared.result
        result.verdict = "reject"
        names = ", ".join(v.config.name or pack_id for pack_id, v in self.packs.items())
        result.findings.append(
            Finding(
                RULE_SCENARIO,
                ERROR,
                _(
                    "No installed rule pack supports the specification identifier "
                    "(CustomizationID) %(id)s. Installed: %(packs)s."
                )
                % {"id": result.customization_id or "-", "packs": names},
            )
        )
        return result


def default_registry() -> Registry:
    """The registry of all installed packs, built once per process (and per set of packs)."""
    key = tuple((pack.id, pack.path().resolve()) for pack in reversed(rule_packs()))
    registry = _registries.get(key)
    if registry is None:
        registry = _registries[key] = Registry(list(key))
    return registry


_registries: dict[tuple[tuple[str, Path], ...], Registry] = {}
