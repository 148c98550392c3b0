"""XRechnung / EN 16931 / ZUGFeRD validation with the KoSIT validator's scenario semantics."""

from amtsfluss.rechnung.validation.registry import Registry, default_registry
from amtsfluss.rechnung.validation.validator import (
    Finding,
    ValidationResult,
    Validator,
    default_validator,
)

__all__ = [
    "Finding",
    "Registry",
    "ValidationResult",
    "Validator",
    "default_registry",
    "default_validator",
]
