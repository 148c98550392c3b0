"""Fixtures: the official KoSIT configuration installed once per session, one warm validator.

The material is not downloaded: set AMTSFLUSS_XRECHNUNG_RULES to the unpacked official
validator-configuration-xrechnung-3.0.2 (or its zip). Without it these tests fail loudly.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from amtsfluss.rechnung.validation import Validator, default_validator
from amtsfluss.rechnung.validation.rules import RulePack, rules_install

STANDARDS = Path("/work/shared/standards/xrechnung")
DEFAULT_RULES = STANDARDS / "validator-configuration-xrechnung-3.0.2"
TESTSUITE = Path(os.environ.get("AMTSFLUSS_XRECHNUNG_TESTSUITE", STANDARDS / "testsuite"))


def rules_source() -> Path:
    return Path(os.environ.get("AMTSFLUSS_XRECHNUNG_RULES", DEFAULT_RULES))


def suite_files() -> list[Path]:
    return sorted((TESTSUITE / "src" / "test").rglob("*.xml"))


@pytest.fixture(scope="session")
def rules_pack() -> RulePack:
    source = rules_source()
    if not (source / "scenarios.xml").is_file() and not source.is_file():
        pytest.fail(
            f"KoSIT validator configuration not found at {source}. Get the official release "
            "xrechnung-3.0.2-validator-configuration-2026-01-31.zip from "
            "https://github.com/itplr-kosit/validator-configuration-xrechnung/releases, unpack "
            "it and set AMTSFLUSS_XRECHNUNG_RULES to that folder (or the zip).",
            pytrace=False,
        )
    # settings.DATA_DIR is a fresh temporary folder per test process (settings/test.py).
    return rules_install(source)


@pytest.fixture(scope="session")
def validator(rules_pack: RulePack) -> Validator:
    return default_validator(rules_pack.path())
