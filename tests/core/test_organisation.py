"""The unit tree: closure table stays exact under creation and moves; cycles are refused."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import (
    AuditEvent,
    Mandant,
    Organisationseinheit,
    OrganisationseinheitClosure,
)
from amtsfluss.core.services.mandant import mandant_create
from amtsfluss.core.services.organisation import unit_create, unit_move
from tests.conftest import World

pytestmark = pytest.mark.usefixtures("english")


def closure_of(mandant: Mandant) -> set[tuple[int, int, int]]:
    return set(
        OrganisationseinheitClosure.objects.filter(mandant=mandant).values_list(
            "ancestor_id", "descendant_id", "depth"
        )
    )


def expected_closure(mandant: Mandant) -> set[tuple[int, int, int]]:
    parents = dict(
        Organisationseinheit.objects.filter(mandant=mandant).values_list("pk", "parent_id")
    )
    rows = set()
    for unit in parents:
        node, depth = unit, 0
        while node is not None:
            rows.add((node, unit, depth))
            node, depth = parents[node], depth + 1
    return rows


def test_closure_after_creation(world: World) -> None:
    assert closure_of(world.a) == expected_closure(world.a)


def test_move_subtree_updates_closure_and_is_audited(world: World) -> None:
    unit_move(unit=world.units["32"], new_parent=world.units["10"], by=world.admin)
    assert closure_of(world.a) == expected_closure(world.a)
    ancestors_of_32_1 = set(
        OrganisationseinheitClosure.objects.filter(descendant=world.units["32.1"]).values_list(
            "ancestor__code", flat=True
        )
    )
    assert ancestors_of_32_1 == {"32.1", "32", "10", "I"}
    event = AuditEvent.objects.filter(mandant=world.a).latest("seq")
    assert event.action == "organisationseinheit.move"
    assert event.details == {"from": "I", "to": "10"}


def test_move_below_own_descendant_is_refused(world: World) -> None:
    before = closure_of(world.a)
    with pytest.raises(ServiceError, match="below itself"):
        unit_move(unit=world.units["32"], new_parent=world.units["32.1"], by=world.admin)
    with pytest.raises(ServiceError, match="below itself"):
        unit_move(unit=world.units["32"], new_parent=world.units["32"], by=world.admin)
    assert closure_of(world.a) == before


def test_move_to_other_mandant_is_refused(world: World) -> None:
    with pytest.raises(ServiceError):
        unit_move(unit=world.units["32"], new_parent=world.b_units["32"], by=None)


def test_duplicate_code_is_refused(world: World) -> None:
    with pytest.raises(ServiceError):
        unit_create(mandant=world.a, code="32.1", name="Doppelt", kind="abteilung", by=None)


def test_same_code_in_other_mandant_is_fine(world: World) -> None:
    unit = unit_create(mandant=world.b, code="32.1", name="B Gewerbe", kind="abteilung", by=None)
    assert unit.mandant == world.b


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    parents=st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=12),
    moves=st.lists(
        st.tuples(st.integers(min_value=0, max_value=30), st.integers(min_value=-1, max_value=30)),
        max_size=8,
    ),
)
def test_closure_stays_exact_under_random_moves(
    parents: list[int], moves: list[tuple[int, int]]
) -> None:
    mandant, _ = Mandant.objects.get_or_create(slug="prop", defaults={"name": "Prop"})
    Organisationseinheit.objects.filter(mandant=mandant).update(parent=None)
    OrganisationseinheitClosure.objects.filter(mandant=mandant).delete()
    Organisationseinheit.objects.filter(mandant=mandant).delete()
    units: list[Organisationseinheit] = []
    for index, parent in enumerate(parents):
        units.append(
            unit_create(
                mandant=mandant,
                code=f"u{index}",
                name=f"u{index}",
                kind="sachgebiet",
                parent=units[parent % len(units)] if units and parent % 3 else None,
                by=None,
            )
        )
    for unit_index, parent_index in moves:
        unit = Organisationseinheit.objects.get(pk=units[unit_index % len(units)].pk)
        target = None if parent_index < 0 else units[parent_index % len(units)]
        with contextlib.suppress(ServiceError):  # a cycle is refused and changes nothing
            unit_move(unit=unit, new_parent=target, by=None)
        assert closure_of(mandant) == expected_closure(mandant)


def test_mandant_create_refuses_taken_host(world: World) -> None:
    with pytest.raises(ServiceError, match=r"a\.test"):
        mandant_create(slug="c", name="C", hosts=["a.test"], by=None)


def test_only_operator_creates_mandanten(world: World) -> None:
    with pytest.raises(ServiceError):
        mandant_create(slug="c", name="C", hosts=["c.test"], by=world.admin)
    created = mandant_create(slug="c", name="C", hosts=["c.test"], by=world.operator)
    assert created.hosts.get().hostname == "c.test"
