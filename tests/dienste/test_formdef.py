"""The forms engine without pages: definitions checked with JSON paths, each field type's
validation, conditions, repeatable groups, safe patterns."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.http import QueryDict

from amtsfluss.dienste.formdef.evaluate import evaluate
from amtsfluss.dienste.formdef.loader import load
from amtsfluss.dienste.formdef.problems import DefinitionError
from amtsfluss.dienste.formdef.raw import read_step, remove_item
from amtsfluss.dienste.formdef.safe_regex import UnsafePattern, check_pattern
from tests.dienste.conftest import demo_document

pytestmark = pytest.mark.usefixtures("english")
TODAY = date(2026, 3, 15)


def form(*fields: dict[str, Any]) -> dict[str, Any]:
    return {"format": 1, "title": "T", "steps": [{"id": "s", "title": "S", "fields": list(fields)}]}


def problems_of(definition: object) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        load(definition)
    return caught.value.problems


def check(field: dict[str, Any], raw: dict[str, Any], counts: dict[str, int] | None = None):  # type: ignore[no-untyped-def]
    result = evaluate(load(form(field)), raw, counts or {}, today=TODAY)
    return result.values.get(field["id"]), result.problems


def test_demo_definitions_load() -> None:
    for entry in demo_document()["leistungen"]:
        assert load(entry["formular"]).steps


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        ([], "$: an object is required"),
        ({"format": 2, "steps": []}, "$.format: the format must be 1"),
        (
            form({"id": "a", "type": "magic", "label": "x"}),
            "$.steps[0].fields[0].type: unknown type 'magic'",
        ),
        (
            form({"id": "a", "type": "text", "label": "x", "onclick": "alert(1)"}),
            "$.steps[0].fields[0]: unknown key(s) 'onclick'",
        ),
        (
            form(
                {"id": "a", "type": "text", "label": "x"}, {"id": "a", "type": "text", "label": "y"}
            ),
            "$.steps[0].fields[1].id: the id 'a' is used twice",
        ),
        (form({"id": "A-1", "type": "text", "label": "x"}), "$.steps[0].fields[0].id"),
        (
            form({"id": "a", "type": "text", "label": ""}),
            "$.steps[0].fields[0].label: must not be empty",
        ),
        (form({"id": "a", "type": "text", "label": "x\x07"}), "contains control characters"),
        (form({"id": "a", "type": "number", "label": "x", "min": 1.5}), "$.steps[0].fields[0].min"),
        (
            form({"id": "a", "type": "choice", "label": "x", "options": []}),
            "$.steps[0].fields[0].options",
        ),
        (
            form(
                {
                    "id": "a",
                    "type": "choice",
                    "label": "x",
                    "options": [{"value": "A B", "label": "x"}],
                }
            ),
            "options[0].value",
        ),
        (
            form({"id": "a", "type": "date", "label": "x", "latest": "tomorrow"}),
            "$.steps[0].fields[0].latest",
        ),
        (
            form(
                {
                    "id": "a",
                    "type": "text",
                    "label": "x",
                    "visible_if": {"field": "b", "equals": "1"},
                }
            ),
            "there is no field 'b'",
        ),
        (
            form(
                {
                    "id": "a",
                    "type": "text",
                    "label": "x",
                    "visible_if": {"field": "a", "filled": True},
                }
            ),
            "comes later in the form",
        ),
        (
            form(
                {"id": "a", "type": "text", "label": "x", "visible_if": {"field": "a", "eval": "1"}}
            ),
            "unknown key(s) 'eval'",
        ),
        (
            form(
                {
                    "id": "a",
                    "type": "text",
                    "label": "x",
                    "visible_if": {
                        "not": {"not": {"not": {"not": {"not": {"field": "a", "filled": True}}}}}
                    },
                }
            ),
            "nested more than 5 levels",
        ),
        (
            form(
                {
                    "id": "g",
                    "type": "group",
                    "label": "G",
                    "max_items": 3,
                    "fields": [{"id": "x", "type": "text", "label": "x"}],
                },
                {
                    "id": "y",
                    "type": "text",
                    "label": "y",
                    "visible_if": {"field": "x", "filled": True},
                },
            ),
            "the field 'x' lies in a group of its own",
        ),
        (
            form(
                {
                    "id": "g",
                    "type": "group",
                    "label": "G",
                    "fields": [
                        {
                            "id": "h",
                            "type": "group",
                            "label": "H",
                            "fields": [{"id": "x", "type": "text", "label": "x"}],
                        }
                    ],
                }
            ),
            "a group cannot lie inside another group",
        ),
        (
            form(
                {
                    "id": "g",
                    "type": "group",
                    "label": "G",
                    "min_items": 5,
                    "max_items": 2,
                    "fields": [{"id": "x", "type": "text", "label": "x"}],
                }
            ),
            "is larger than max_items",
        ),
        (
            form({"id": "a", "type": "text", "label": "x", "pattern": "(a+)+b"}),
            "repeats a part that repeats itself",
        ),
        (
            form({"id": "a", "type": "text", "label": "x", "pattern": "[", "max_length": 10}),
            "not a valid regular expression",
        ),
        (form({"id": "a", "type": "text", "label": "x", "pattern": "a" * 201}), "longer than 200"),
        (
            form({"id": "a", "type": "text", "label": "x", "pattern": "a", "max_length": 501}),
            "holds at most 500",
        ),
        (
            {"format": 1, "steps": [{"id": "s", "title": "S", "fields": [{}] * 61}]},
            "a list of 1 to 60 fields",
        ),
        (
            {
                "format": 1,
                "steps": [
                    {
                        "id": f"s{n}",
                        "title": "S",
                        "fields": [{"id": f"f{n}", "type": "text", "label": "x"}],
                    }
                    for n in range(31)
                ],
            },
            "a list of 1 to 30 steps",
        ),
    ],
)
def test_bad_definitions_are_refused_with_paths(definition: object, expected: str) -> None:
    problems = problems_of(definition)
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize(
    "pattern", ["(a|ab)*c", r"(a)\1", "(?=a)a", "(?<!b)a", "(?(1)a|b)", "(x+x+)+y", r"\d*\d*\d*\d*"]
)
def test_slow_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(UnsafePattern):
        check_pattern(pattern, max_length=200)


def test_allowed_pattern_matches_whole_value() -> None:
    field = {
        "id": "r",
        "type": "text",
        "label": "R",
        "max_length": 20,
        "pattern": "(HRA|HRB) ?[0-9]{1,7}",
        "pattern_message": "Wie im Register",
    }
    assert check(field, {"r": "HRB 12345"}) == ("HRB 12345", {})
    assert check(field, {"r": "xHRB 12345"})[1] == {"r": ["Wie im Register"]}


@pytest.mark.parametrize(
    ("field", "raw", "value", "problem"),
    [
        ({"type": "text"}, "  Anna  ", "Anna", None),
        ({"type": "text", "required": True}, "   ", None, "Please fill in this field."),
        ({"type": "text", "max_length": 3}, "abcd", None, "at most 3 characters"),
        ({"type": "text", "min_length": 3}, "ab", None, "at least 3 characters"),
        ({"type": "text"}, "a\x00b", None, "not allowed"),
        ({"type": "text"}, "a\u202eb\u2028", None, "not allowed"),
        ({"type": "text", "multiline": True}, "a\r\nb", "a\nb", None),
        ({"type": "number", "integer": True, "min": 1, "max": 10}, "3", Decimal(3), None),
        ({"type": "number"}, "2,5", Decimal("2.5"), None),
        ({"type": "number", "integer": True}, "2,5", None, "whole number"),
        ({"type": "number", "max": 10}, "11", None, "at most 10"),
        ({"type": "number"}, "1e9", None, "Please enter a number"),
        ({"type": "number"}, "NaN", None, "Please enter a number"),
        ({"type": "date"}, "31.01.2026", date(2026, 1, 31), None),
        ({"type": "date"}, "2026-01-31", date(2026, 1, 31), None),
        ({"type": "date"}, "31.02.2026", None, "valid date"),
        ({"type": "date", "latest": "today"}, "16.03.2026", None, "must not be after"),
        ({"type": "date", "earliest": "today-10"}, "04.03.2026", None, "must not be before"),
        ({"type": "email"}, "anna@example.org", "anna@example.org", None),
        ({"type": "email"}, "anna@", None, "valid e-mail"),
        ({"type": "iban"}, "de02 1203 0000 0000 2020 51", "DE02120300000000202051", None),
        ({"type": "iban"}, "DE02120300000000202052", None, "valid IBAN"),
        ({"type": "iban"}, "DE02 ١٢٠٣", None, "valid IBAN"),
        ({"type": "choice", "options": [{"value": "a", "label": "A"}]}, "a", "a", None),
        (
            {"type": "choice", "widget": "select", "options": [{"value": "a", "label": "A"}]},
            "b",
            None,
            "choose one",
        ),
    ],
)
def test_field_types(field: dict[str, Any], raw: str, value: object, problem: str | None) -> None:
    found, problems = check({"id": "f", "label": "F", **field}, {"f": raw})
    assert found == value
    if problem is None:
        assert problems == {}
    else:
        assert problem in " ".join(problems["f"])


def test_checkboxes() -> None:
    field = {
        "id": "c",
        "type": "choice",
        "label": "C",
        "widget": "checkbox",
        "max_choices": 2,
        "options": [{"value": v, "label": v} for v in ("x", "y", "z")],
    }
    assert check(field, {"c": ["z", "x"]}) == (["x", "z"], {})
    assert "at most 2" in check(field, {"c": ["x", "y", "z"]})[1]["c"][0]
    assert "choose one" in check(field, {"c": ["x", "evil"]})[1]["c"][0]
    assert "at least 1" in check({**field, "required": True}, {"c": []})[1]["c"][0]


def test_address() -> None:
    field = {"id": "a", "type": "address", "label": "A", "required": True}
    raw = {"a-strasse": "Hauptstr. 1", "a-zusatz": "", "a-plz": "12345", "a-ort": "Musterstadt"}
    assert check(field, raw)[0] == {
        "strasse": "Hauptstr. 1",
        "zusatz": "",
        "plz": "12345",
        "ort": "Musterstadt",
    }
    _value, problems = check(field, {**raw, "a-plz": "1234", "a-ort": ""})
    assert set(problems) == {"a-plz", "a-ort"}
    assert set(check(field, {})[1]) == {"a-strasse"}
    assert check({**field, "required": False}, {}) == (None, {})


def test_conditions_show_require_and_drop() -> None:
    definition = load(
        {
            "format": 1,
            "title": "T",
            "steps": [
                {
                    "id": "eins",
                    "title": "1",
                    "fields": [
                        {
                            "id": "art",
                            "type": "choice",
                            "label": "Art",
                            "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
                        }
                    ],
                },
                {
                    "id": "zwei",
                    "title": "2",
                    "fields": [
                        {
                            "id": "nur_b",
                            "type": "text",
                            "label": "x",
                            "required": True,
                            "visible_if": {"field": "art", "equals": "b"},
                        },
                        {
                            "id": "grund",
                            "type": "text",
                            "label": "y",
                            "required_if": {
                                "any": [
                                    {"field": "art", "in": ["a"]},
                                    {"not": {"field": "art", "filled": True}},
                                ]
                            },
                        },
                    ],
                },
            ],
        }
    )
    shown_a = evaluate(definition, {"art": "a", "nur_b": "secret"}, {}, today=TODAY)
    assert "nur_b" not in shown_a.shown and "nur_b" not in shown_a.values
    assert shown_a.problems == {"grund": ["Please fill in this field."]}
    assert shown_a.first_incomplete_step() == 1
    shown_b = evaluate(definition, {"art": "b", "nur_b": "ja"}, {}, today=TODAY)
    assert shown_b.values == {"art": "b", "nur_b": "ja"} and shown_b.problems == {}


def test_repeatable_groups_with_sibling_conditions_and_bounds() -> None:
    definition = load(
        form(
            {
                "id": "kinder",
                "type": "group",
                "label": "Kind",
                "min_items": 1,
                "max_items": 3,
                "fields": [
                    {"id": "name", "type": "text", "label": "Name", "required": True},
                    {
                        "id": "schule",
                        "type": "text",
                        "label": "Schule",
                        "required_if": {"field": "name", "equals": "Max"},
                    },
                ],
            }
        )
    )
    raw = {"kinder-0-name": "Max", "kinder-1-name": "Eva", "kinder-2-name": "Zoe"}
    result = evaluate(definition, raw, {"kinder": 2}, today=TODAY)
    assert result.values == {"kinder": [{"name": "Max"}, {"name": "Eva"}]}
    assert result.problems == {"kinder-0-schule": ["Please fill in this field."]}
    too_many = evaluate(definition, raw, {"kinder": 99}, today=TODAY)
    assert len(too_many.values["kinder"]) == 3 and "At most 3" in too_many.problems["kinder"][0]
    moved = remove_item({**raw, "kinder-0-schule": "A"}, definition.by_id["kinder"], 0, 3)
    assert moved == {"kinder-0-name": "Eva", "kinder-1-name": "Zoe"}


def test_read_step_takes_only_declared_inputs_and_bounds_them() -> None:
    definition = load(
        form(
            {"id": "t", "type": "text", "label": "T", "max_length": 5},
            {
                "id": "c",
                "type": "choice",
                "label": "C",
                "widget": "checkbox",
                "options": [{"value": "x", "label": "X"}],
            },
        )
    )
    posted = QueryDict(mutable=True)
    posted.update({"t": "x" * 100_000, "evil": "1", "t-0-x": "y"})
    posted.setlist("c", ["x"] * 50)
    entries = read_step(definition.steps[0], posted, {})
    assert entries == {"t": "x" * 6, "c": ["x"]}
