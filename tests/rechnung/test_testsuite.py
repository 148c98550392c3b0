"""All 86 instances of the official XRechnung test suite are accepted."""

from __future__ import annotations

from pathlib import Path

import pytest

from amtsfluss.rechnung.validation import Validator
from tests.rechnung.conftest import TESTSUITE, suite_files

FILES = suite_files()


def test_testsuite_is_complete() -> None:
    assert len(FILES) == 86, (
        f"expected the 86 instances of the XRechnung test suite under {TESTSUITE} "
        "(itplr-kosit/xrechnung-testsuite, tag v2026-01-31; override with "
        "AMTSFLUSS_XRECHNUNG_TESTSUITE)"
    )


@pytest.mark.parametrize("path", FILES, ids=[f.name for f in FILES])
def test_instance_accepted(validator: Validator, path: Path) -> None:
    result = validator.validate_file(path)
    errors = [f for f in result.findings if f.level == "error"]
    assert result.verdict == "accept", errors
    assert not errors
    assert result.scenario
    assert result.syntax in {"ubl-invoice", "ubl-creditnote", "cii"}
    assert result.customization_id
