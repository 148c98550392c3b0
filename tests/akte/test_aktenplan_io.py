"""Aktenplan import and export: round trips, every kind of bad input, the command line.

A bad file is refused as a whole: the error names each problem with its line, and the number
of positions is the same afterwards. Messages are checked in English (``translation.override``)
so that a German catalogue does not change what the tests read.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Q
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amtsfluss.akte.models import Aktenplanposition
from amtsfluss.akte.services.aktenplan import position_create
from amtsfluss.akte.services.aktenplan_io import (
    COLUMNS,
    FORMATS,
    MAX_BYTES,
    MAX_ROWS,
    AktenplanImportError,
    Format,
    aktenplan_export,
    aktenplan_import,
    aktenplan_rows,
)
from amtsfluss.core import audit
from amtsfluss.core.models import AuditEvent, Mandant
from amtsfluss.core.services.mandant import mandant_create
from amtsfluss.core.services.organisation import unit_create
from tests.akte.conftest import AkteWorld
from tests.conftest import World


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


PLAN: list[dict[str, str]] = [
    {"kennzeichen": "0", "titel": "Allgemeine Verwaltung", "oe": "I"},
    {"kennzeichen": "0.1", "titel": "Organisation", "oe": "10"},
    {
        "kennzeichen": "0.1.1",
        "titel": 'Geschäftsverteilung; "Zuständigkeiten", Änderungen',
        "beschreibung": "mehrzeilig:\nzweite Zeile\r\ndritte\tZeile",
        "aufbewahrung": "10",
        "archiv": "B",
        "oe": "10",
        "parent": "0.1",
    },
    {
        "kennzeichen": "0.1.2",
        "titel": "=cmd|' /C calc'!A0",
        "beschreibung": "@SUM(1+1)*cmd|' /C calc'!A0",
        "aufbewahrung": "dauernd",
        "archiv": "A",
        "oe": "10",
    },
    {"kennzeichen": "1", "titel": "Sicherheit und Ordnung"},
    {"kennzeichen": "1.2", "titel": "Gewerbe", "oe": "32"},
    {
        "kennzeichen": "1.2.10",
        "titel": "Gewerbeanzeigen",
        "aufbewahrung": "6",
        "archiv": "V",
        "oe": "32.1",
    },
    {"kennzeichen": "1.2.9", "titel": "-'Gewerbe'-Statistik", "aufbewahrung": "30", "oe": "32.1"},
    {"kennzeichen": "1.2.11", "titel": "'+ Anlagen", "beschreibung": "'x", "oe": "32.2"},
]


def full(row: dict[str, str]) -> dict[str, str]:
    return {column: row.get(column, "") for column in COLUMNS}


def csv_bytes(
    rows: list[dict[str, str]],
    *,
    columns: tuple[str, ...] = COLUMNS,
    delimiter: str = ";",
    bom: bool = False,
) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([row.get(column, "") for column in columns] for row in rows)
    return (codecs.BOM_UTF8 if bom else b"") + out.getvalue().encode()


def json_bytes(rows: Sequence[Mapping[str, object]]) -> bytes:
    return json.dumps(rows, ensure_ascii=False, indent=2).encode()


def positions(mandant: Mandant) -> int:
    return Aktenplanposition.objects.filter(mandant=mandant).count()


def twin(world: World, slug: str = "twin") -> Mandant:
    """Another Mandant with units of the same codes as Mandant A (where a plan can go)."""
    mandant = mandant_create(slug=slug, name=f"Stadt {slug}", hosts=[f"{slug}.test"], by=None)
    made: dict[str, object] = {}
    for unit in sorted(world.units.values(), key=lambda u: u.pk):
        parent = made.get(unit.parent.code) if unit.parent else None
        made[unit.code] = unit_create(
            mandant=mandant,
            code=unit.code,
            name=unit.name,
            kind=unit.kind,
            parent=parent,  # type: ignore[arg-type]
            by=None,
        )
    return mandant


def refused(mandant: Mandant, data: bytes, fmt: Format = "csv") -> list[str]:
    """Import must fail and change nothing; the problems it names."""
    before = positions(mandant), AuditEvent.objects.count()
    with pytest.raises(AktenplanImportError) as caught:
        aktenplan_import(mandant=mandant, data=data, fmt=fmt, by=None)
    assert (positions(mandant), AuditEvent.objects.count()) == before
    assert caught.value.problems
    assert all(problem in caught.value.message for problem in caught.value.problems)
    return caught.value.problems


# --- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_and_import_again_is_lossless(world: World, fmt: Format) -> None:
    result = aktenplan_import(mandant=world.a, data=json_bytes(PLAN), fmt="json", by=None)
    assert (result.created, result.leaves) == (len(PLAN), 5)
    exported = aktenplan_export(mandant=world.a, fmt=fmt)
    other = twin(world)

    aktenplan_import(mandant=other, data=exported, fmt=fmt, by=None)

    assert aktenplan_rows(mandant=other) == aktenplan_rows(mandant=world.a)
    assert aktenplan_export(mandant=other, fmt=fmt) == exported
    expected = {row["kennzeichen"]: full(row) for row in PLAN}
    for row in aktenplan_rows(mandant=other):
        row_expected = expected[row["kennzeichen"]]
        assert {k: v for k, v in row.items() if k != "parent"} == {
            k: v for k, v in row_expected.items() if k != "parent"
        }
    stored = Aktenplanposition.objects.get(mandant=other, kennzeichen="0.1.2")
    assert (stored.aufbewahrung_dauernd, stored.aufbewahrung_jahre) == (True, None)
    assert stored.federfuehrende_oe is not None and stored.federfuehrende_oe.code == "10"
    assert stored.parent is not None and stored.parent.kennzeichen == "0.1"
    inner = Aktenplanposition.objects.get(mandant=other, kennzeichen="1.2")
    assert not inner.is_leaf
    assert Aktenplanposition.objects.get(mandant=other, kennzeichen="1.2.10").is_leaf


def test_csv_export_defuses_formulas_for_spreadsheets(world: World) -> None:
    aktenplan_import(mandant=world.a, data=json_bytes(PLAN), fmt="json", by=None)
    data = aktenplan_export(mandant=world.a, fmt="csv")
    assert data.startswith(codecs.BOM_UTF8)
    rows = list(csv.DictReader(io.StringIO(data[3:].decode(), newline=""), delimiter=";"))
    cells = {row["kennzeichen"]: row for row in rows}
    assert cells["0.1.2"]["titel"] == "'=cmd|' /C calc'!A0"
    assert cells["0.1.2"]["beschreibung"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert cells["1.2.9"]["titel"] == "'-'Gewerbe'-Statistik"
    assert cells["1.2.11"]["titel"] == "''+ Anlagen"
    assert cells["1.2.11"]["beschreibung"] == "''x"
    for row in rows:
        for value in row.values():
            assert value[:1] not in ("=", "+", "-", "@", "\t", "\r")
    # the JSON export is for programs: no quote marks added
    exported = json.loads(aktenplan_export(mandant=world.a, fmt="json"))
    assert {r["kennzeichen"]: r["titel"] for r in exported}["0.1.2"] == "=cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    ("delimiter", "bom"), [(";", True), (";", False), (",", True), (",", False)]
)
def test_csv_with_either_delimiter_and_optional_bom(
    world: World, delimiter: str, bom: bool
) -> None:
    plain = [row for row in PLAN if not any(v.startswith("'") for v in row.values())]
    data = csv_bytes(plain, delimiter=delimiter, bom=bom)
    aktenplan_import(mandant=world.a, data=data, fmt="csv", by=None)
    reference = twin(world, "reference")
    aktenplan_import(mandant=reference, data=json_bytes(plain), fmt="json", by=None)
    assert aktenplan_rows(mandant=world.a) == aktenplan_rows(mandant=reference)


def test_a_quote_mark_before_a_formula_is_taken_as_excel_means_it(world: World) -> None:
    data = csv_bytes(
        [
            {"kennzeichen": "1", "titel": "'=SUMME(A1)", "beschreibung": "'Zitat'"},
            {"kennzeichen": "2", "titel": "''-x", "beschreibung": "'"},
        ]
    )
    aktenplan_import(mandant=world.a, data=data, fmt="csv", by=None)
    rows = aktenplan_rows(mandant=world.a)
    assert [(r["titel"], r["beschreibung"]) for r in rows] == [
        ("=SUMME(A1)", "'Zitat'"),
        ("'-x", "'"),
    ]


def test_optional_columns_may_be_left_out_and_come_in_any_order(world: World) -> None:
    data = b"Titel,Kennzeichen\r\nAllgemeines,0\r\n,\r\nOrganisation,0.1\r\n"
    result = aktenplan_import(mandant=world.a, data=data, fmt="csv", by=None)
    assert result.created == 2
    assert aktenplan_rows(mandant=world.a)[1] == full(
        {"kennzeichen": "0.1", "titel": "Organisation", "parent": "0"}
    )


def test_json_accepts_numbers_and_null(world: World) -> None:
    data = json_bytes(
        [
            {"kennzeichen": "5", "titel": "Gesundheit", "aufbewahrung": None, "oe": None},
            {"kennzeichen": "5.1", "titel": "Impfungen", "aufbewahrung": 30, "archiv": "a"},
        ]
    )
    aktenplan_import(mandant=world.a, data=data, fmt="json", by=None)
    leaf = Aktenplanposition.objects.get(mandant=world.a, kennzeichen="5.1")
    assert (leaf.aufbewahrung_jahre, leaf.archivwuerdigkeit) == (30, "A")


def test_import_adds_below_existing_positions_and_is_audited_once(akten: AkteWorld) -> None:
    a = akten.w.a
    head = audit.chain_of(a)
    events_before = AuditEvent.objects.filter(chain=head).count()
    data = csv_bytes(
        [
            {"kennzeichen": "10.38.70", "titel": "Spielhallen", "aufbewahrung": "10", "oe": "32.1"},
            {"kennzeichen": "10.40", "titel": "Verkehr", "oe": "32.2"},
            {"kennzeichen": "10.40.1", "titel": "Sondernutzungen", "aufbewahrung": "6"},
        ]
    )

    result = aktenplan_import(mandant=a, data=data, fmt="csv", by=akten.w.admin)

    assert result.created == 3
    [event] = AuditEvent.objects.filter(chain=head, action="aktenplan.import")
    assert event.actor_id == akten.w.admin.pk
    assert event.details["created"] == 3
    assert event.details["leaves"] == 2
    assert event.details["format"] == "csv"
    assert event.details["sha256"] == result.sha256
    # position_create audits each position as well, so every row is traceable
    assert AuditEvent.objects.filter(chain=head).count() == events_before + 3 + 1
    assert audit.verify() == []


# --- bad input: every problem, with its line, and nothing written -----------------------------


def test_every_problem_is_reported_at_once_with_its_line(akten: AkteWorld) -> None:
    a = akten.w.a
    rows = [
        {"kennzeichen": "20", "titel": "Finanzen"},  # line 2, fine
        {"kennzeichen": "20.1", "titel": "Haushalt", "aufbewahrung": "zehn"},  # 3
        {"kennzeichen": "20.x", "titel": "Kaputt"},  # 4
        {"kennzeichen": "20.2", "titel": "Kasse", "oe": "99"},  # 5
        {"kennzeichen": "20.2", "titel": "Kasse doppelt"},  # 6
        {"kennzeichen": "10.38", "titel": "gibt es schon"},  # 7
        {"kennzeichen": "30.1", "titel": "ohne Eltern"},  # 8
        {"kennzeichen": "20.3", "titel": "Archiv", "archiv": "X"},  # 9
        {"kennzeichen": "10.38.50.1", "titel": "unter Akten"},  # 10
        {"kennzeichen": "20.4", "titel": "falsche Eltern", "parent": "10"},  # 11
        {"kennzeichen": "20.5", "titel": "   "},  # 12
        {"kennzeichen": "20.6", "titel": "Dauer", "aufbewahrung": "201"},  # 13
    ]
    problems = refused(a, csv_bytes(rows))
    assert [p.split(":", 1)[0] for p in problems] == [
        f"Line {n}" for n in (3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13)
    ]
    text = "\n".join(problems)
    assert "Line 3: the retention must be a number of years from 1 to 200" in text
    assert "Line 4: '20.x' is not a valid Kennzeichen" in text
    assert "Line 5: there is no unit with the code '99'" in text
    assert "Line 6: the Kennzeichen 20.2 appears already in line 5" in text
    assert "Line 7: the Kennzeichen 10.38 exists already" in text
    assert "Line 8: the parent 30 of 30.1 is neither in the file nor in the Aktenplan" in text
    assert "Line 9: the archive hint must be A, B, V or empty" in text
    assert "Line 10: Akten are filed at 10.38.50, so it cannot get sub-positions" in text
    assert "Line 11: the parent of 20.4 is 20 (its prefix), not '10'" in text
    assert "Line 12: position 20.5 needs a title" in text
    assert "Line 13: the retention must be" in text


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            [
                {"kennzeichen": "1", "titel": "a"},
                {"kennzeichen": "1.1", "titel": "b", "parent": "1.2"},
                {"kennzeichen": "1.2", "titel": "c", "parent": "1.1"},
            ],
            "Line 3: the parent values form a cycle: 1.1 → 1.2 → 1.1.",
        ),
        (
            [{"kennzeichen": "7", "titel": "selbst", "parent": "7"}],
            "Line 2: the parent values form a cycle: 7 → 7.",
        ),
        (
            [
                {"kennzeichen": "2", "titel": "a", "parent": "3"},
                {"kennzeichen": "3", "titel": "b", "parent": "4"},
                {"kennzeichen": "4", "titel": "c", "parent": "2"},
            ],
            "Line 2: the parent values form a cycle: 2 → 3 → 4 → 2.",
        ),
    ],
)
def test_a_cycle_of_parent_values_is_named(
    world: World, rows: list[dict[str, str]], expected: str
) -> None:
    problems = refused(world.a, csv_bytes(rows))
    assert expected in problems
    assert any("top-level" in p or "its prefix" in p for p in problems)


@pytest.mark.parametrize(
    ("retention", "ok"),
    [
        ("1", True),
        ("200", True),
        (" Dauernd ", True),
        ("0", False),
        ("-5", False),
        ("10.5", False),
        ("201", False),
        ("10 Jahre", False),
        ("9" * 5000, False),
    ],
)
def test_retention_values(world: World, retention: str, ok: bool) -> None:
    data = csv_bytes([{"kennzeichen": "1", "titel": "x", "aufbewahrung": retention}])
    if ok:
        aktenplan_import(mandant=world.a, data=data, fmt="csv", by=None)
        return
    [problem] = refused(world.a, data)
    assert problem.startswith("Line 2: the retention must be")
    assert len(problem) < 200  # the hostile value is cut short in the message


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "The file contains no positions."),
        (b"kennzeichen;titel\r\n", "The file contains no positions."),
        (
            b"nummer;titel;bemerkung\r\n1;x;y\r\n",
            "Line 1: unknown column(s) 'nummer', 'bemerkung'; the columns are: kennzeichen,",
        ),
        (b"titel;oe\r\nx;32\r\n", "Line 1: the header lacks the column(s) kennzeichen;"),
        (b"kennzeichen;titel;titel\r\n1;x;y\r\n", "Line 1: the column(s) titel appear twice"),
        (
            "kennzeichen;titel\r\n1;Bürgeramt\r\n2;Straßen\r\n".encode("cp1252"),
            "Line 2: the file is not encoded as UTF-8",
        ),
        (
            codecs.BOM_UTF16_LE + "kennzeichen;titel\r\n".encode("utf-16-le"),
            "Line 1: the file is not encoded as UTF-8",
        ),
        (
            b'kennzeichen;titel\r\n1;"ab"c\r\n',
            "Line 2: the CSV is malformed",
        ),
        (
            b"kennzeichen;titel\r\n1;x;zu viel\r\n",
            "Line 2: 3 values, but the header names 2 columns.",
        ),
        (
            b"kennzeichen;titel\r\n1;" + b"x" * 200_000 + b"\r\n",
            "Line 2: the CSV is malformed (field larger than field limit",
        ),
        (
            b"kennzeichen;titel;beschreibung\r\n1;x;a\x00b\r\n",
            "Line 2: the description contains control characters.",
        ),
        (
            b"kennzeichen;titel\r\n1;Zeile\x1bEscape\r\n",
            "Line 2: the title contains control characters.",
        ),
        (
            b"kennzeichen;titel\r\n1;" + b"x" * 301 + b"\r\n",
            "Line 2: the title is longer than 300 characters.",
        ),
        (
            b"kennzeichen;titel\r\n" + b"1" * 100 + b";x\r\n",
            "Line 2: the Kennzeichen is too long.",
        ),
    ],
)
def test_bad_csv(world: World, data: bytes, expected: str) -> None:
    problems = refused(world.a, data)
    assert any(p.startswith(expected) for p in problems), problems


def test_oversize_file_is_refused_before_reading(world: World) -> None:
    data = b"kennzeichen;titel\r\n" + b"1;" + b"x" * MAX_BYTES + b"\r\n"
    assert refused(world.a, data) == ["The file is larger than the limit of 5.0\xa0MB."]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_too_many_rows_are_refused(world: World, fmt: Format) -> None:
    rows = [{"kennzeichen": str(n), "titel": "x"} for n in range(MAX_ROWS + 1)]
    data = csv_bytes(rows) if fmt == "csv" else json.dumps(rows).encode()
    [problem] = refused(world.a, data, fmt)
    line = MAX_ROWS + 2 if fmt == "csv" else 1
    assert problem == f"Line {line}: the file has more than {MAX_ROWS} positions."


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'{"kennzeichen": "1", "titel": "x"}', "The JSON must be a list of objects"),
        (b'"1"', "The JSON must be a list of objects"),
        (b"[]", "The file contains no positions."),
        (b'[\n  "1",\n  ["x"]\n]', "Line 2: each entry must be an object"),
        (b'[\n  {"kennzeichen": "1", "titel": "x"},\n  7\n]', "Line 3: each entry must be an"),
        (b'[\n {"kennzeichen": "1", "titel": "x",}\n]', "Line 2: the JSON is malformed"),
        (b'[\n {"kennzeichen": "1", "titel": "x"}\n', "Line 3: the JSON is malformed"),
        (b'[{"kennzeichen": "1", "titel": "x"}] []', "Line 1: the JSON continues after"),
        (b'[{"kennzeichen": "1", "titel": "x"} {"a": 1}]', "Line 1: the JSON is malformed"),
        (b"[" * 100_000 + b"]" * 100_000, "Line 1: the JSON is nested more than 10 levels"),
        (
            b'[{"kennzeichen": "1", "titel": {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": '
            b"{}}}}}}}}}}}]",
            "Line 1: the JSON is nested more than 10 levels",
        ),
        (b'[{"kennzeichen": "1", "titel": ["x"]}]', "Line 1: the field 'titel' must be text."),
        (b'[{"kennzeichen": 1, "titel": "x"}]', "Line 1: the field 'kennzeichen' must be text."),
        (b'[{"kennzeichen": "1", "titel": "x", "oe": true}]', "Line 1: the field 'oe' must be"),
        (b'[{"titel": "x"}]', "Line 1: the field 'kennzeichen' is missing."),
        (
            b'[{"kennzeichen": "1", "titel": "x", "Titel": "y", "note": 1}]',
            "Line 1: unknown field(s) 'Titel', 'note'; the fields are: kennzeichen",
        ),
        (
            b'[{"kennzeichen": "1", "titel": "x", "titel": "y"}]',
            "Line 1: the field 'titel' appears twice.",
        ),
        (
            b'[{"kennzeichen": "1", "titel": "x", "aufbewahrung": ' + b"9" * 4000 + b"}]",
            "Line 1: the retention must be",
        ),
        (
            b'[{"kennzeichen": "1", "titel": "x", "aufbewahrung": ' + b"9" * 100_000 + b"}]",
            "Line 1: the retention must be",
        ),
        (b'[{"kennzeichen": "1", "titel": "x", "aufbewahrung": 1e999}]', "Line 1: the retention"),
        (b'[{"kennzeichen": "1", "titel": "x", "aufbewahrung": 10.0}]', "Line 1: the retention"),
        (b'[{"kennzeichen": "1", "titel": "x", "aufbewahrung": NaN}]', "Line 1: the retention"),
        (b'[{"kennzeichen": "1", "titel": "x", "aufbewahrung": -3}]', "Line 1: the retention"),
        (b'[{"kennzeichen": "1", "titel": "x", "aufbewahrung": 0}]', "Line 1: the retention"),
        (b'[{"kennzeichen": "1", "titel": "x", "aufbewahrung": true}]', "Line 1: the field"),
        (b'[{"kennzeichen": "1", "titel": "a\\ud800b"}]', "Line 1: the title contains control"),
        (b'[{"kennzeichen": "1", "titel": "x"}]\xff', "Line 1: the file is not encoded as UTF-8"),
    ],
)
def test_bad_json(world: World, data: bytes, expected: str) -> None:
    problems = refused(world.a, data, "json")
    assert any(p.startswith(expected) for p in problems), problems


@pytest.mark.parametrize(
    ("literal", "shown"),
    [("1e999", "'1e999'"), ("10.0", "'10.0'"), ("-3", "'-3'"), ("9" * 4000, "'" + "9" * 20 + "'")],
)
def test_json_numbers_that_are_no_retention_are_named_briefly(
    world: World, literal: str, shown: str
) -> None:
    data = b'[{"kennzeichen": "1", "titel": "x", "aufbewahrung": ' + literal.encode() + b"}]"
    [problem] = refused(world.a, data, "json")
    assert problem.endswith(f"“dauernd” or empty, not {shown}.")


def test_json_problems_name_the_line_where_the_entry_starts(world: World) -> None:
    data = json_bytes(
        [
            {"kennzeichen": "1", "titel": "Eins"},
            {"kennzeichen": "1.1", "titel": "Zwei", "oe": "nix"},
            {"kennzeichen": "1.2", "titel": "Drei", "archiv": "Q"},
        ]
    )
    problems = refused(world.a, data, "json")
    # indent=2: "[" on line 1, each entry spans 4 lines (two fields) or 5 (three fields)
    assert [p.split(":")[0] for p in problems] == ["Line 6", "Line 11"]


def test_another_mandants_unit_codes_do_not_count(world: World) -> None:
    # Mandant B has a unit "32" but no "32.1"
    data = csv_bytes([{"kennzeichen": "1", "titel": "x", "oe": "32.1"}])
    [problem] = refused(world.b, data)
    assert problem == "Line 2: there is no unit with the code '32.1'."


def test_a_leaf_without_akten_may_get_sub_positions(akten: AkteWorld) -> None:
    a = akten.w.a
    data = csv_bytes([{"kennzeichen": "10.38.60.1", "titel": "Neu", "aufbewahrung": "10"}])
    # 10.38.60 holds Akten in the fixture; a fresh leaf does not
    assert refused(a, data) == [
        "Line 2: Akten are filed at 10.38.60, so it cannot get sub-positions."
    ]
    position_create(mandant=a, kennzeichen="10.39", titel="Leer", by=None)
    aktenplan_import(
        mandant=a,
        data=csv_bytes([{"kennzeichen": "10.39.1", "titel": "Neu", "aufbewahrung": "10"}]),
        fmt="csv",
        by=None,
    )
    assert not Aktenplanposition.objects.get(mandant=a, kennzeichen="10.39").is_leaf


def test_unknown_format_is_refused(world: World) -> None:
    with pytest.raises(Exception, match="Unknown format"):
        aktenplan_import(mandant=world.a, data=b"", fmt="xml", by=None)  # type: ignore[arg-type]


# --- property: any valid tree survives export and import --------------------------------------

_group = st.from_regex(r"\d{1,4}", fullmatch=True)
_paths = st.lists(st.lists(_group, min_size=1, max_size=4), min_size=1, max_size=12)
_title = st.text(
    st.characters(exclude_categories=("Cc", "Cs"), exclude_characters="\ufffe\uffff"),
    min_size=1,
    max_size=40,
).filter(lambda s: bool(s.strip()))
_description = st.text(
    st.characters(exclude_categories=("Cc", "Cs"), exclude_characters="\ufffe\uffff")
    | st.sampled_from("\t\n\r'=+-@"),
    max_size=40,
)
_retention = st.one_of(
    st.just((None, False)), st.just((None, True)), st.tuples(st.integers(1, 200), st.just(False))
)
_position = st.tuples(
    _title,
    _description,
    _retention,
    st.sampled_from(["", "A", "B", "V"]),
    st.sampled_from(["", "I", "32", "32.1", "32.2", "10", "11"]),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(paths=_paths, data=st.data())
def test_any_valid_tree_exports_and_reimports_identically(
    world: World, paths: list[list[str]], data: st.DataObject
) -> None:
    source, target = _property_mandanten(world)
    kennzeichen = {".".join(p[:i]) for p in paths for i in range(1, len(p) + 1)}
    units = {u.code: u for u in world.units.values()}
    try:
        for k in sorted(kennzeichen, key=lambda k: (k.count("."), k)):
            titel, beschreibung, (jahre, dauernd), archiv, oe = data.draw(_position)
            position_create(
                mandant=source,
                kennzeichen=k,
                titel=titel,
                beschreibung=beschreibung,
                aufbewahrung_jahre=jahre,
                aufbewahrung_dauernd=dauernd,
                archivwuerdigkeit=archiv,
                federfuehrende_oe=units.get(oe),
                by=None,
            )
        for fmt in FORMATS:
            exported = aktenplan_export(mandant=source, fmt=fmt)
            aktenplan_import(mandant=target, data=exported, fmt=fmt, by=None)
            assert aktenplan_export(mandant=target, fmt=fmt) == exported
            assert _stored(target) == _stored(source)
            _clear(target)
    finally:
        _clear(source)
        _clear(target)


def _property_mandanten(world: World) -> tuple[Mandant, Mandant]:
    """Mandant A and its twin; the examples of one run share them and clean up after."""
    target = Mandant.objects.filter(slug="twin").first() or twin(world)
    return world.a, target


def _stored(mandant: Mandant) -> list[tuple[object, ...]]:
    return sorted(
        Aktenplanposition.objects.filter(mandant=mandant).values_list(
            "kennzeichen",
            "parent__kennzeichen",
            "titel",
            "beschreibung",
            "aufbewahrung_jahre",
            "aufbewahrung_dauernd",
            "archivwuerdigkeit",
            "federfuehrende_oe__code",
            "is_leaf",
            "is_active",
        )
    )


def _clear(mandant: Mandant) -> None:
    """Remove a Mandant's positions, children first (the parent link protects them)."""
    while Aktenplanposition.objects.filter(mandant=mandant).exists():
        Aktenplanposition.objects.filter(mandant=mandant).filter(
            ~Q(pk__in=Aktenplanposition.objects.filter(parent__isnull=False).values("parent_id"))
        ).delete()


# --- command line -----------------------------------------------------------------------------


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("aktenplan", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_exports_and_imports(world: World, tmp_path: Path) -> None:
    source = tmp_path / "plan.json"
    source.write_bytes(json_bytes(PLAN))
    out, err = run("import", str(source), "--mandant", "a")
    assert f"{len(PLAN)} positions imported into a (5 of them leaves" in out
    assert "aktenplan import" in err  # the progress bar

    stdout, _ = run("export", "--mandant", "a")
    assert stdout.startswith("\ufeffkennzeichen;titel;beschreibung;aufbewahrung;archiv;oe;parent")
    target = tmp_path / "plan.csv"
    _, err = run("export", "--mandant", "a", "-o", str(target))
    assert f"written to {target} (csv)" in err
    assert target.read_bytes() == aktenplan_export(mandant=world.a, fmt="csv")
    json_out, _ = run("export", "--mandant", "a", "--format", "json")
    assert json.loads(json_out) == aktenplan_rows(mandant=world.a)

    twin(world)
    out, _ = run("import", str(target), "--mandant", "twin", "--quiet")
    assert f"{len(PLAN)} positions imported into twin" in out


def test_command_lists_every_problem_and_exits_1(world: World, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(
        csv_bytes([{"kennzeichen": "1.x", "titel": "a"}, {"kennzeichen": "2", "titel": ""}])
    )
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(
            "aktenplan", "import", str(bad), "--mandant", "a", stderr=err, stdout=io.StringIO()
        )
    assert caught.value.returncode == 1
    assert "2 problem(s) in" in str(caught.value)
    assert "nothing was imported" in str(caught.value)
    assert "Line 2: '1.x' is not a valid Kennzeichen" in err.getvalue()
    assert "Line 3: position 2 needs a title" in err.getvalue()
    assert positions(world.a) == 0

    with pytest.raises(CommandError, match="Unknown Mandant 'nirgendwo'"):
        run("export", "--mandant", "nirgendwo")
    with pytest.raises(CommandError, match="Cannot read"):
        run("import", str(bad) + ".missing", "--mandant", "a")
