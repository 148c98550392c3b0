"""XRechnung / EN 16931 validation following the KoSIT validator's scenario semantics."""

from amtsfluss.rechnung.validation.validator import (
    Finding,
    ValidationResult,
    Validator,
    default_validator,
)

__all__ = ["Finding", "ValidationResult", "Validator", "default_validator"]
