"""Fee rules: checked with paths, computed in Decimal cents."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from amtsfluss.dienste.formdef.loader import load
from amtsfluss.dienste.formdef.problems import DefinitionError
from amtsfluss.dienste.gebuehren import check_rule, compute, describe
from tests.dienste.conftest import demo_document

pytestmark = pytest.mark.usefixtures("english")


def test_fixed_and_none() -> None:
    assert compute(
        check_rule({"kind": "fixed", "amount": "26.00"}, definition=None), {}
    ).total == Decimal("26.00")
    assert compute(check_rule({"kind": "none"}, definition=None), {}).total == Decimal("0.00")


def test_per_copy_over_a_repeatable_group() -> None:
    entry = demo_document()["leistungen"][0]
    rule = check_rule(entry["gebuehr"], definition=load(entry["formular"]))
    values = {"urkunden": [{"anzahl": Decimal(2)}, {"anzahl": Decimal(3)}, {}]}
    assert compute(rule, values).total == Decimal("60.00")
    with translation.override("en"):
        assert describe(rule)[0] == "12.00 € per Exemplar"


def test_computed_from_fields_with_bounds() -> None:
    entry = demo_document()["leistungen"][1]
    rule = check_rule(entry["gebuehr"], definition=load(entry["formular"]))
    assert compute(rule, {"rechtsform": "einzelunternehmen"}).total == Decimal("26.00")
    assert compute(rule, {"rechtsform": "gmbh"}).total == Decimal("36.00")
    capped = check_rule(
        {
            "kind": "computed",
            "minimum": "5.00",
            "maximum": "50.00",
            "items": [{"label": "je Stück", "amount": "3.35", "times": "n"}],
        },
        definition=None,
    )
    assert compute(capped, {"n": Decimal(1)}).total == Decimal("5.00")
    assert compute(capped, {"n": Decimal(3)}).total == Decimal("10.05")
    assert compute(capped, {"n": Decimal(100)}).total == Decimal("50.00")
    assert compute(capped, {"n": Decimal(-4)}).total == Decimal("5.00")


@given(st.lists(st.integers(min_value=0, max_value=10), max_size=5), st.integers(0, 99_999))
def test_per_item_is_exact(counts: list[int], cents: int) -> None:
    amount = Decimal(cents) / 100
    rule = check_rule(
        {"kind": "per_item", "amount": f"{amount:.2f}", "count": "g[].n"}, definition=None
    )
    fee = compute(rule, {"g": [{"n": Decimal(c)} for c in counts]})
    assert fee.total == amount * sum(counts)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"kind": "fixed", "amount": 26.0}, "$.amount"),
        ({"kind": "fixed", "amount": "26"}, "$.amount"),
        ({"kind": "gratis"}, "$.kind"),
        ({"kind": "fixed", "amount": "1.00", "eval": "x"}, "unknown key(s) 'eval'"),
        ({"kind": "per_item", "amount": "1.00", "count": "__import__"}, "$.count"),
        ({"kind": "computed", "items": []}, "$.items"),
        (
            {"kind": "computed", "items": [{"label": "x", "amount": "1.00", "if": {"field": "x"}}]},
            "$.items[0].if",
        ),
    ],
)
def test_bad_rules(rule: object, expected: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        check_rule(rule, definition=None)
    assert any(expected in problem for problem in caught.value.problems), caught.value.problems
