"""The E-Rechnung tests use the rule-pack fixtures of ``tests/rulepacks.py`` (a plugin loaded by
tests/conftest.py, so that every test process installs and compiles the packs exactly once)."""

from tests.rulepacks import (
    DEFAULT_RULES,
    PEPPOL_ID,
    STANDARDS,
    TESTSUITE,
    build_peppol_style_pack,
    rules_source,
    suite_files,
)

__all__ = [
    "DEFAULT_RULES",
    "PEPPOL_ID",
    "STANDARDS",
    "TESTSUITE",
    "build_peppol_style_pack",
    "rules_source",
    "suite_files",
]
