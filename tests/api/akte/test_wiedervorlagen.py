"""Wiedervorlagen through the API: set, list due ones, mark done."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from amtsfluss.akte.models import Wiedervorlage
from amtsfluss.akte.services.vorgang import vorgang_create
from amtsfluss.akte.services.wiedervorlage import wiedervorlage_create
from amtsfluss.core.models import AuditEvent
from tests.api.akte.conftest import AkteWorld, as_, post_json
from tests.api.conftest import api_client


def test_create_on_akte_and_vorgang(akten: AkteWorld) -> None:
    w = akten.w
    vorgang = vorgang_create(principal=as_(w.clerk), akte=akten.offen_32_1, betreff="x")
    client = api_client(w.clerk)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    mine = post_json(
        client,
        "/api/v1/wiedervorlagen",
        {"akte_id": akten.offen_32_1.pk, "faellig_am": tomorrow, "notiz": "Frist prüfen"},
    )
    assert mine.status_code == 201, mine.content
    body = mine.json()
    assert (body["akte_id"], body["vorgang_id"], body["faellig_am"]) == (
        akten.offen_32_1.pk,
        None,
        tomorrow,
    )
    assert body["fuer_user"]["username"] == "clerk"  # for oneself unless named otherwise
    unit = post_json(
        client,
        "/api/v1/wiedervorlagen",
        {"vorgang_id": vorgang.pk, "faellig_am": tomorrow, "fuer_oe_id": w.units["32.1"].pk},
    )
    assert unit.status_code == 201, unit.content
    assert (unit.json()["fuer_user"], unit.json()["fuer_oe"]["code"]) == (None, "32.1")
    assert AuditEvent.objects.filter(action="wiedervorlage.create").count() == 2


def test_create_refusals(akten: AkteWorld) -> None:
    w = akten.w
    client = api_client(w.clerk)
    today = timezone.localdate()
    past = post_json(
        client,
        "/api/v1/wiedervorlagen",
        {"akte_id": akten.offen_32_1.pk, "faellig_am": (today - timedelta(days=1)).isoformat()},
    )
    assert past.json() == {"detail": "The due date lies in the past.", "code": "invalid"}
    neither = post_json(client, "/api/v1/wiedervorlagen", {"faellig_am": today.isoformat()})
    assert neither.json()["detail"] == "A Wiedervorlage belongs to either a Vorgang or an Akte."
    foreign = post_json(
        client,
        "/api/v1/wiedervorlagen",
        {
            "akte_id": akten.offen_32_1.pk,
            "faellig_am": today.isoformat(),
            "fuer_user_id": w.b_clerk.pk,
        },
    )
    assert foreign.json()["code"] == "unknown_person"
    read_key = post_json(
        api_client(w.clerk, scopes=["read"]),
        "/api/v1/wiedervorlagen",
        {"akte_id": akten.offen_32_1.pk, "faellig_am": today.isoformat()},
    )
    assert read_key.status_code == 403
    assert read_key.json()["detail"] == "This key may not change anything."
    assert not Wiedervorlage.objects.exists()


def test_due_today_and_done(akten: AkteWorld) -> None:
    w = akten.w
    clerk = as_(w.clerk)
    today = timezone.localdate()
    due = wiedervorlage_create(principal=clerk, akte=akten.offen_32_1, faellig_am=today)
    later = wiedervorlage_create(
        principal=clerk, akte=akten.offen_32_1, faellig_am=today + timedelta(days=3)
    )
    # head sees both (Amtsleitung over the Akte) but neither is due for head
    for_head = wiedervorlage_create(
        principal=clerk, akte=akten.offen_32_1, faellig_am=today, fuer_user=w.head
    )
    client = api_client(w.clerk)

    def ids(query: str = "") -> list[int]:
        response = client.get(f"/api/v1/wiedervorlagen?{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["items"]]

    assert ids() == [due.pk, for_head.pk, later.pk]
    assert ids("due=today") == [due.pk]
    done = client.post(f"/api/v1/wiedervorlagen/{due.pk}/erledigt")
    assert done.status_code == 200, done.content
    assert done.json()["erledigt_am"] is not None
    assert client.post(f"/api/v1/wiedervorlagen/{due.pk}/erledigt").status_code == 200  # again
    assert AuditEvent.objects.filter(action="wiedervorlage.erledigt").count() == 1
    assert ids("due=today") == []
    assert ids("erledigt=true") == [due.pk]
    assert ids("erledigt=false") == [for_head.pk, later.pk]
    head_due = api_client(w.head).get("/api/v1/wiedervorlagen?due=today").json()
    assert [row["id"] for row in head_due["items"]] == [for_head.pk]
    assert api_client(w.other_clerk).get("/api/v1/wiedervorlagen").json()["count"] == 0
    assert client.get("/api/v1/wiedervorlagen?due=tomorrow").status_code == 422
