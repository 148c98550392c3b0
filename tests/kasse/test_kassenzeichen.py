"""Kassenzeichen: format, check digits that catch typos, finding them in remittance text."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from amtsfluss.kasse import kassenzeichen as kz


def test_format_and_check_digits() -> None:
    written = kz.format_kassenzeichen("KZ", 2026, 42)
    assert written.startswith("KZ-2026-000042-")
    assert len(written) == len("KZ-2026-000042-00")
    assert kz.is_valid(kz.compact(written))


@given(
    praefix=st.from_regex(kz.PRAEFIX_PATTERN, fullmatch=True),
    jahr=st.integers(2000, 2099),
    nummer=st.integers(1, 999_999),
    position=st.integers(0, 30),
    replacement=st.sampled_from(string.digits + string.ascii_uppercase),
)
def test_every_single_substitution_is_caught(
    praefix: str, jahr: int, nummer: int, position: int, replacement: str
) -> None:
    compact = kz.compact(kz.format_kassenzeichen(praefix, jahr, nummer))
    position %= len(compact)
    if compact[position] == replacement:
        return
    typo = compact[:position] + replacement + compact[position + 1 :]
    assert not kz.is_valid(typo)


@given(nummer=st.integers(1, 999_999), position=st.integers(0, 12))
def test_every_swap_of_neighbours_is_caught(nummer: int, position: int) -> None:
    compact = kz.compact(kz.format_kassenzeichen("KZ", 2026, nummer))
    if compact[position] == compact[position + 1]:
        return
    swapped = (
        compact[:position] + compact[position + 1] + compact[position] + compact[position + 2 :]
    )
    assert not kz.is_valid(swapped)


def test_found_in_remittance_text_whatever_spacing_and_case() -> None:
    written = kz.format_kassenzeichen("KZ", 2026, 7)
    compact = kz.compact(written)
    spaced = " ".join([written[:2].lower(), written[3:7], written[8:14], written[15:]])
    assert kz.find_in(f"Gebuehr Urkunde {spaced} 12,00 EUR", "KZ") == [compact]
    assert kz.find_in(f"Az. 123/{written.lower()}/Meier", "KZ") == [compact]
    assert kz.find_in(compact + compact, "KZ") == [compact]


def test_typo_in_remittance_text_is_not_found() -> None:
    written = kz.format_kassenzeichen("KZ", 2026, 7)
    typo = written[:-1] + str((int(written[-1]) + 1) % 10)
    assert kz.find_in(typo, "KZ") == []
    assert kz.find_in("KZ 2026", "KZ") == []
    assert not kz.is_valid("")
    assert not kz.is_valid("KZ2026ÄÖ000712")
