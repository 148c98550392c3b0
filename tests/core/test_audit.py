"""The audit log: one hash chain per Mandant, ``amtsfluss audit verify``, and tampering.

A malicious DBA first has to remove the database guard (the triggers of migration 0002);
the tests do exactly that, then change or remove rows, and expect the verifier to name the
first broken link.
"""

from __future__ import annotations

import io
import itertools
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from amtsfluss.core import audit, context
from amtsfluss.core.models import AuditChainHead, AuditEvent, Mandant
from amtsfluss.core.models.audit import Outcome
from tests.conftest import World

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def remove_append_only_guard() -> None:
    """What a DBA with owner rights can do (and what the hash chain exists for)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # fire the deferred foreign-key checks of this test's transaction first: ALTER TABLE
            # refuses to run while trigger events are pending
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_change")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            cursor.execute("DROP TRIGGER core_auditevent_no_update")


def run_verify(*args: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", *args, stdout=stdout, stderr=stderr)
    except CommandError as exc:
        return exc.returncode, stdout.getvalue(), f"{stderr.getvalue()}{exc}\n"
    return 0, stdout.getvalue(), stderr.getvalue()


def record_case_events(mandant: Mandant, count: int) -> list[AuditEvent]:
    return [
        audit.record(
            mandant=mandant,
            actor=None,
            action="akte.read",
            object_type="akte.akte",
            object_id=str(n),
            details={"n": n, "grund": "Sachbearbeitung"},
        )
        for n in range(count)
    ]


def chain_events(mandant: Mandant) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(chain=audit.chain_of(mandant)).order_by("seq"))


# --- an intact log ----------------------------------------------------------------------------


def test_every_mandant_has_its_own_gap_free_chain(world: World) -> None:
    record_case_events(world.a, 5)
    record_case_events(world.b, 3)

    for mandant in (world.a, world.b, None):
        chain = audit.chain_of(mandant)
        events = list(AuditEvent.objects.filter(chain=chain).order_by("seq"))
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert events[0].prev_hash == audit.GENESIS
        assert all(e.prev_hash == p.hash for p, e in itertools.pairwise(events))
        assert all(e.mandant_id == (mandant.pk if mandant else None) for e in events)
        head = AuditChainHead.objects.get(chain=chain)
        assert (head.seq, head.hash) == (events[-1].seq, events[-1].hash)
    assert audit.verify() == []


def test_audit_verify_exits_zero_on_an_intact_log(world: World) -> None:
    record_case_events(world.a, 5)
    total = AuditEvent.objects.count()

    code, stdout, stderr = run_verify()

    assert code == 0, stderr
    assert f"audit chain intact ({total} events)" in stdout
    assert "audit verify" in stderr  # the progress bar


def test_audit_verify_for_one_mandant_counts_only_its_chain(world: World) -> None:
    record_case_events(world.b, 4)
    total = AuditEvent.objects.filter(chain=audit.chain_of(world.b)).count()

    code, stdout, _stderr = run_verify("--mandant", "b", "--quiet")

    assert code == 0
    assert f"audit chain intact ({total} events)" in stdout


def test_audit_verify_with_an_unknown_mandant_is_an_error(world: World) -> None:
    code, _stdout, stderr = run_verify("--mandant", "gibt-es-nicht")
    assert code == 1
    assert "Unknown Mandant 'gibt-es-nicht'" in stderr


# --- the database guard -----------------------------------------------------------------------


def test_the_database_refuses_to_update_an_audit_event(world: World) -> None:
    event = record_case_events(world.a, 1)[0]

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="akte.delete")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE core_auditevent SET details = '{}'")

    assert AuditEvent.objects.get(pk=event.pk).action == "akte.read"
    assert audit.verify() == []


@pytest.mark.postgres_only
@pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="SQLite keeps DELETE on core_auditevent possible (Django's test flush deletes rows, "
    "migration 0002); a removed row is caught by the chain (test_tampering_is_caught)",
)
def test_postgresql_refuses_to_delete_an_audit_event(world: World) -> None:
    event = record_case_events(world.a, 1)[0]

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_model_refuses_save_and_delete_of_an_existing_event(world: World) -> None:
    event = record_case_events(world.a, 1)[0]
    with pytest.raises(RuntimeError, match="append-only"):
        event.save()
    with pytest.raises(RuntimeError, match="append-only"):
        event.delete()


# --- tampering --------------------------------------------------------------------------------


def change_a_field(event: AuditEvent, events: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(pk=event.pk).update(object_id="4712")


def delete_the_row(event: AuditEvent, events: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(pk=event.pk).delete()


def rewrite_consistently(event: AuditEvent, events: list[AuditEvent]) -> None:
    """Change the content and recompute this row's hash: the row itself checks out."""
    event.details = {"n": 0, "grund": "nie gelesen"}
    AuditEvent.objects.filter(pk=event.pk).update(
        details=event.details, hash=audit.link_hash(event)
    )


def forge_prev_hash_consistently(event: AuditEvent, events: list[AuditEvent]) -> None:
    """Re-link the row to a made-up predecessor and recompute its hash."""
    event.prev_hash = "f" * 64
    AuditEvent.objects.filter(pk=event.pk).update(
        prev_hash=event.prev_hash, hash=audit.link_hash(event)
    )


Tamper = Callable[[AuditEvent, list[AuditEvent]], None]

# (tamper, which row: index into the chain, expected first broken event: offset from that row)
TAMPERING: dict[str, tuple[Tamper, int, int, str]] = {
    "field-of-middle-row": (change_a_field, 4, 0, "content changed"),
    "field-of-first-row": (change_a_field, 0, 0, "content changed"),
    "middle-row-deleted": (delete_the_row, 4, 0, "missing (removed)"),
    "first-row-deleted": (delete_the_row, 0, 0, "missing (removed)"),
    "newest-row-deleted": (delete_the_row, -1, 0, "missing (head expects"),
    "middle-row-rewritten-with-its-hash": (rewrite_consistently, 4, 1, "does not link"),
    "prev-hash-and-hash-forged": (forge_prev_hash_consistently, 4, 0, "does not link"),
}


@pytest.mark.parametrize("case", list(TAMPERING))
def test_tampering_is_caught_at_the_first_broken_link(world: World, case: str) -> None:
    tamper, index, offset, reason = TAMPERING[case]
    record_case_events(world.a, 8)
    record_case_events(world.b, 3)
    events = chain_events(world.a)
    victim = events[index]
    chain = audit.chain_of(world.a)

    remove_append_only_guard()
    tamper(victim, events)

    code, _stdout, stderr = run_verify("--quiet")
    assert code == 1
    first = f"chain {chain}, event #{victim.seq + offset}"
    assert f"BROKEN: {first}: {reason}" in stderr
    assert f"first broken link {first}" in stderr
    assert f"chain {audit.chain_of(world.b)}" not in stderr  # the other Mandant is intact
    assert run_verify("--mandant", "b", "--quiet")[0] == 0
    assert run_verify("--mandant", "a", "--quiet")[0] == 1


def test_rewriting_the_newest_event_with_its_hash_names_that_event(world: World) -> None:
    record_case_events(world.a, 5)
    newest = chain_events(world.a)[-1]

    remove_append_only_guard()
    rewrite_consistently(newest, [])

    code, _stdout, stderr = run_verify("--quiet")
    assert code == 1
    assert f"BROKEN: chain {audit.chain_of(world.a)}, event #{newest.seq}:" in stderr


def test_rewriting_the_newest_event_with_its_hash_is_caught_by_the_chain_head(
    world: World,
) -> None:
    record_case_events(world.a, 5)
    newest = chain_events(world.a)[-1]

    remove_append_only_guard()
    rewrite_consistently(newest, [])

    code, _stdout, stderr = run_verify("--quiet")
    assert code == 1
    assert f"BROKEN: chain {audit.chain_of(world.a)}, event #" in stderr


# --- concurrency ------------------------------------------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="SQLite serializes writers by design (one write transaction at a time): concurrent "
    "appends are a PostgreSQL question; run with AMTSFLUSS_TEST_DATABASE_URL",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_give_a_gap_free_valid_chain() -> None:
    from amtsfluss.core.services.mandant import mandant_create

    mandant = mandant_create(slug="a", name="Stadt A", hosts=["a.test"], by=None)
    threads_count, per_thread = 8, 25
    barrier = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def append(worker: int) -> None:
        try:
            barrier.wait()
            for n in range(per_thread):
                audit.record(
                    mandant=mandant if n % 5 else None,  # the platform chain as well
                    actor=None,
                    action="akte.read",
                    object_id=f"{worker}-{n}",
                )
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=append, args=(w,)) for w in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    appended = AuditEvent.objects.filter(action="akte.read")
    assert appended.count() == threads_count * per_thread
    assert {e.split("-")[0] for e in appended.values_list("object_id", flat=True)} == {
        str(w) for w in range(threads_count)
    }
    for chain in (audit.chain_of(mandant), audit.PLATFORM_CHAIN):
        seqs = list(AuditEvent.objects.filter(chain=chain).order_by("seq").values_list("seq"))
        assert [s for (s,) in seqs] == list(range(1, len(seqs) + 1))
    assert audit.verify() == []


# --- any sequence of events verifies ----------------------------------------------------------
# The domain: JSON without floats, text without NUL. Both are outside what record() can keep on
# PostgreSQL today (see the two tests after the property test).

no_nul = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
safe_text = st.text(alphabet=no_nul, max_size=80)
json_scalars = st.none() | st.booleans() | st.integers() | st.text(alphabet=no_nul)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(alphabet=no_nul, max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
event_specs = st.lists(
    st.fixed_dictionaries(
        {
            "where": st.sampled_from(["a", "b", "platform"]),
            "action": safe_text.filter(bool),
            "object_type": safe_text,
            "object_id": st.text(alphabet=no_nul, max_size=120),  # record() cuts it to 80
            "outcome": st.sampled_from(list(Outcome)),
            "details": st.dictionaries(
                st.text(alphabet=no_nul, max_size=10), json_values, max_size=5
            ),
            "client_address": st.sampled_from(["", "192.0.2.1", "2001:db8::1"]),
            "actor_label": st.none() | safe_text.filter(bool),
        }
    ),
    max_size=12,
)


@given(specs=event_specs)
@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_sequence_of_recorded_events_verifies(
    world: World, specs: list[dict[str, Any]]
) -> None:
    mandanten = {"a": world.a, "b": world.b, "platform": None}
    with transaction.atomic():
        for spec in specs:
            with context.use(context.RequestContext(client_address=spec["client_address"])):
                audit.record(
                    mandant=mandanten[spec["where"]],
                    actor=world.clerk if spec["where"] == "a" else None,
                    action=spec["action"][:80],
                    object_type=spec["object_type"],
                    object_id=spec["object_id"],
                    outcome=spec["outcome"],
                    details=spec["details"],
                    actor_label=spec["actor_label"],
                )
        assert audit.verify() == []
        transaction.set_rollback(True)  # every example starts from the same world


@pytest.mark.parametrize("number", [-0.0, 1e16, 1.7976931348623157e308])
def test_float_details_are_refused_or_still_verify(world: World, number: float) -> None:
    """record() may refuse a float up front; what it stores must verify on every database."""
    try:
        audit.record(mandant=world.a, actor=None, action="kasse.buchung", details={"x": number})
    except (TypeError, ValueError):
        return
    assert audit.verify() == []


def test_text_with_nul_is_recorded_and_verifies(world: World) -> None:
    with transaction.atomic():
        event = audit.record(
            mandant=world.a,
            actor=None,
            action="login.failure",
            actor_label="admin\x00",
            details={"username": "admin\x00"},
        )
    assert AuditEvent.objects.get(pk=event.pk).actor_label.startswith("admin")
    assert audit.verify() == []
