"""The audit log through the API: Datenschutz only, filters, never another Mandant's events."""

from __future__ import annotations

from urllib.parse import urlencode

from django.utils import timezone

from amtsfluss.core import audit
from amtsfluss.core.models import AuditEvent, User
from tests.api.conftest import B_HOST, api_client
from tests.conftest import World


def test_datenschutz_reads_the_log_of_its_mandant(world: World) -> None:
    client = api_client(world.dsb)
    body = client.get("/api/v1/audit-events?limit=200").json()
    in_a = AuditEvent.objects.filter(mandant=world.a)
    assert body["count"] == in_a.count() > 0
    assert {e["id"] for e in body["items"]} == set(in_a.values_list("pk", flat=True))
    seqs = [e["seq"] for e in body["items"]]
    assert seqs == sorted(seqs, reverse=True)
    event = in_a.get(action="membership.grant", details__user="clerk")
    detail = client.get(f"/api/v1/audit-events/{event.pk}").json()
    assert (detail["action"], detail["hash"], detail["details"]["user"]) == (
        "membership.grant",
        event.hash,
        "clerk",
    )


def test_filters(world: World) -> None:
    client = api_client(world.dsb)
    grants = client.get("/api/v1/audit-events?action=membership.grant").json()
    assert grants["count"] == 5
    assert {e["action"] for e in grants["items"]} == {"membership.grant"}
    unit = world.units["32.1"]
    query = urlencode({"object_type": "core.organisationseinheit", "object_id": str(unit.pk)})
    [created] = client.get(f"/api/v1/audit-events?{query}").json()["items"]
    assert created["action"] == "organisationseinheit.create"
    before = timezone.now()
    audit.record(mandant=world.a, actor=world.admin, action="test.marker")
    since = urlencode({"since": before.isoformat()})
    recent = client.get(f"/api/v1/audit-events?{since}").json()["items"]
    assert [e["action"] for e in recent] == ["test.marker"]
    until = urlencode({"until": before.isoformat()})
    older = client.get(f"/api/v1/audit-events?{until}&limit=200").json()["items"]
    assert "test.marker" not in {e["action"] for e in older}
    assert "organisationseinheit.create" in {e["action"] for e in older}
    naive = client.get("/api/v1/audit-events?since=2020-01-01T00:00:00")
    assert naive.status_code == 422


def _any_event_of(user: User) -> AuditEvent:
    return AuditEvent.objects.filter(mandant=user.mandant).latest("seq")


def test_nobody_else_of_the_mandant_reads_the_log(world: World) -> None:
    event = _any_event_of(world.clerk)
    for user in (world.admin, world.head, world.clerk):
        client = api_client(user)
        assert client.get("/api/v1/audit-events").json()["count"] == 0, user
        response = client.get(f"/api/v1/audit-events/{event.pk}")
        assert response.status_code == 404, user
        assert response.json() == {"detail": "Not found."}


def test_datenschutz_of_another_mandant_sees_none_of_a(world: World, b_boss: User) -> None:
    client = api_client(b_boss, host=B_HOST)
    event = AuditEvent.objects.filter(mandant=world.a).latest("seq")
    response = client.get(f"/api/v1/audit-events/{event.pk}")
    assert response.status_code == 404
    assert event.hash not in response.content.decode()
    listed = client.get("/api/v1/audit-events?limit=200").json()
    assert listed["count"] == AuditEvent.objects.filter(mandant=world.b).count()
    a_ids = set(AuditEvent.objects.filter(mandant=world.a).values_list("pk", flat=True))
    assert not a_ids & {e["id"] for e in listed["items"]}
