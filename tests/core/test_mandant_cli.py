"""``amtsfluss mandant create|list|update``: the IT provider's command line, audited."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from amtsfluss.core import audit
from amtsfluss.core.models import AuditChainHead, AuditEvent, Mandant

pytestmark = pytest.mark.django_db


def mandant(*args: str) -> str:
    out = io.StringIO()
    call_command("mandant", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def hosts(slug: str) -> list[str]:
    return sorted(Mandant.objects.get(slug=slug).hosts.values_list("hostname", flat=True))


def platform_events(action: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(chain=audit.PLATFORM_CHAIN, action=action).order_by("seq")
    )


def test_create_makes_a_mandant_with_hosts_an_empty_chain_and_an_audit_event() -> None:
    out = mandant(
        "create",
        "musterstadt",
        "--name",
        "Stadt  Musterstadt",
        "--host",
        "Service.Musterstadt.DE.",
        "--host",
        "musterstadt.example",
        "--host",
        "service.musterstadt.de",
    )

    created = Mandant.objects.get(slug="musterstadt")
    assert created.name == "Stadt Musterstadt"
    assert (created.is_active, created.is_default) == (True, False)
    assert hosts("musterstadt") == ["musterstadt.example", "service.musterstadt.de"]
    assert "Mandant musterstadt created" in out
    head = AuditChainHead.objects.get(chain=audit.chain_of(created))
    assert (head.seq, head.hash) == (0, audit.GENESIS)
    [event] = platform_events("mandant.create")
    assert (event.actor_id, event.actor_label, event.object_id) == (None, "<cli>", str(created.pk))
    assert event.details["slug"] == "musterstadt"
    assert audit.verify() == []


def test_create_default_moves_the_default_flag() -> None:
    mandant("create", "alt", "--name", "Alt", "--host", "alt.test", "--default")
    mandant("create", "neu", "--name", "Neu", "--host", "neu.test", "--default")

    assert list(Mandant.objects.filter(is_default=True).values_list("slug", flat=True)) == ["neu"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create", "Muster Stadt", "--name", "X", "--host", "x.test"], "not a valid short name"),
        (["create", "Muster", "--name", "X", "--host", "x.test"], "lower-case"),
        (["create", "x", "--name", "X", "--host", "bad host!"], "not a valid host name"),
        (["create", "x", "--name", "X", "--host=-x.test"], "not a valid host name"),
        (["create", "x", "--name", "X", "--host", "a" * 64 + ".test"], "not a valid host name"),
        (["create", "x", "--name", "   ", "--host", "x.test"], "1 to 200 characters"),
        (["create", "_stadt", "--name", "X", "--host", "x.test"], "Kurzname muss mit"),
        (["create", "x", "--name", "X"], "--host"),
        (["create", "x", "--host", "x.test"], "--name"),
    ],
)
def test_create_refuses_bad_input(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        mandant(*args)
    assert not Mandant.objects.exists()
    assert not platform_events("mandant.create")


def test_create_refuses_a_taken_slug_or_host_whatever_its_case() -> None:
    mandant("create", "a", "--name", "Stadt A", "--host", "a.test")

    with pytest.raises(CommandError):
        mandant("create", "a", "--name", "Noch mal A", "--host", "other.test")
    with pytest.raises(CommandError, match=r"a\.test"):
        mandant("create", "b", "--name", "Gemeinde B", "--host", "A.TEST")

    assert list(Mandant.objects.values_list("slug", flat=True)) == ["a"]
    assert len(platform_events("mandant.create")) == 1


def test_list_shows_every_mandant_as_text_and_json() -> None:
    mandant("create", "b", "--name", "Gemeinde B", "--host", "b.test", "--host", "b2.test")
    mandant("create", "a", "--name", "Stadt Ä", "--host", "a.test", "--default")
    mandant("update", "b", "--deactivate")

    text = mandant("list")
    assert text.splitlines() == [
        "a\tStadt Ä\tdefault active\ta.test",
        "b\tGemeinde B\tINACTIVE\tb.test, b2.test",
    ]

    rows = json.loads(mandant("list", "--json"))
    assert [(r["slug"], r["name"], r["hosts"], r["is_default"], r["is_active"]) for r in rows] == [
        ("a", "Stadt Ä", ["a.test"], True, True),
        ("b", "Gemeinde B", ["b.test", "b2.test"], False, False),
    ]
    assert all(r["created_at"] for r in rows)


def test_list_of_no_mandanten_is_empty() -> None:
    assert mandant("list") == ""
    assert json.loads(mandant("list", "--json")) == []


def test_update_renames_replaces_hosts_and_toggles_active_and_is_audited() -> None:
    mandant("create", "a", "--name", "Stadt A", "--host", "a.test", "--host", "alt.a.test")

    mandant("update", "a", "--name", "Hansestadt A", "--host", "a.test", "--host", "neu.a.test")
    changed = Mandant.objects.get(slug="a")
    assert changed.name == "Hansestadt A"
    assert hosts("a") == ["a.test", "neu.a.test"]

    out = mandant("update", "a", "--deactivate")
    assert "inactive" in out
    assert not Mandant.objects.get(slug="a").is_active
    assert Mandant.objects.get(slug="a").name == "Hansestadt A"  # unchanged when not given
    assert hosts("a") == ["a.test", "neu.a.test"]

    mandant("update", "a", "--activate")
    assert Mandant.objects.get(slug="a").is_active

    events = platform_events("mandant.update")
    assert [(e.details["name"], e.details["is_active"]) for e in events] == [
        ("Hansestadt A", True),
        ("Hansestadt A", False),
        ("Hansestadt A", True),
    ]
    assert all(e.actor_label == "<cli>" for e in events)
    assert audit.verify() == []


def test_update_refuses_unknown_mandant_empty_change_and_taken_host() -> None:
    mandant("create", "a", "--name", "Stadt A", "--host", "a.test")
    mandant("create", "b", "--name", "Gemeinde B", "--host", "b.test")

    with pytest.raises(CommandError, match="Unknown Mandant 'c'"):
        mandant("update", "c", "--name", "C")
    with pytest.raises(CommandError, match="Nothing to change"):
        mandant("update", "a")
    with pytest.raises(CommandError, match="Nothing to change"):
        mandant("update", "a", "--activate")  # active already
    with pytest.raises(CommandError, match=r"b\.test"):
        mandant("update", "a", "--host", "a.test", "--host", "B.test")
    with pytest.raises(CommandError):
        mandant("update", "a", "--activate", "--deactivate")

    assert hosts("a") == ["a.test"]
    assert hosts("b") == ["b.test"]
    assert not platform_events("mandant.update")
