"""The CAMT.053 test files of tests/kasse/data with their placeholders filled in."""

from __future__ import annotations

from pathlib import Path
from string import Template

from amtsfluss.kasse.demo import DEMO_IBAN

DATA = Path(__file__).parent / "data"


def camt(name: str, iban: str = DEMO_IBAN, **kassenzeichen: str) -> bytes:
    text = (DATA / name).read_text(encoding="utf-8")
    return Template(text).safe_substitute(IBAN=iban, **kassenzeichen).encode()


def spaced_lower(kassenzeichen: str) -> str:
    """``KZ-2026-000001-12`` as a citizen might type it: ``kz 2026 000001 12``."""
    return kassenzeichen.replace("-", " ").lower()


def typo(kassenzeichen: str) -> str:
    """The Kassenzeichen with its last digit changed (check digits no longer fit)."""
    return kassenzeichen[:-1] + str((int(kassenzeichen[-1]) + 1) % 10)
