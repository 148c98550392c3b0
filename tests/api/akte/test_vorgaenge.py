"""Vorgänge through the API: list, inbox, open, change, move — and moving into a closed Akte."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from amtsfluss.akte.models import Vorgang
from amtsfluss.akte.services.akte import akte_close, beteiligung_grant, check_akte_create
from amtsfluss.akte.services.vorgang import vorgang_create
from amtsfluss.core.models import AuditEvent
from tests.api.akte.conftest import AkteWorld, as_, case_file, post_json
from tests.api.conftest import api_client


def test_create_and_read(akten: AkteWorld) -> None:
    w = akten.w
    client = api_client(w.clerk)
    frist = (timezone.localdate() + timedelta(days=14)).isoformat()
    response = post_json(
        client,
        f"/api/v1/akten/{akten.offen_32_1.pk}/vorgaenge",
        {"betreff": "Gewerbeanmeldung", "bearbeiter_id": w.clerk.pk, "frist": frist},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["akte"] == {
        "id": akten.offen_32_1.pk,
        "aktenzeichen": akten.offen_32_1.aktenzeichen,
        "titel": "offen 32.1",
    }
    assert body["bearbeitende_oe"]["code"] == "32.1"
    assert body["bearbeiter"]["username"] == "clerk"
    assert (body["status"], body["frist"]) == ("neu", frist)
    assert body["eingangsdatum"] == timezone.localdate().isoformat()
    assert client.get(f"/api/v1/vorgaenge/{body['id']}").json() == body


def test_create_refusals(akten: AkteWorld) -> None:
    w = akten.w
    url = f"/api/v1/akten/{akten.offen_32_1.pk}/vorgaenge"
    client = api_client(w.clerk)
    foreign = post_json(client, url, {"betreff": "x", "bearbeiter_id": w.b_clerk.pk})
    assert foreign.json() == {"detail": f"Unknown person: {w.b_clerk.pk}", "code": "unknown_person"}
    blank = post_json(client, url, {"betreff": "   "})
    assert blank.json()["detail"] == "A Vorgang needs a subject (Betreff)."
    assert not Vorgang.objects.exists()


def test_list_filters(akten: AkteWorld) -> None:
    w = akten.w
    clerk = as_(w.clerk)
    mine = vorgang_create(principal=clerk, akte=akten.offen_32_1, betreff="a", bearbeiter=w.clerk)
    vorgang_create(principal=clerk, akte=akten.vertr_32_1, betreff="b")
    other = vorgang_create(principal=as_(w.other_clerk), akte=akten.offen_32_2, betreff="c")
    client = api_client(w.clerk)

    def betreffe(query: str = "") -> set[str]:
        response = client.get(f"/api/v1/vorgaenge?{query}")
        assert response.status_code == 200, response.content
        return {row["betreff"] for row in response.json()["items"]}

    assert betreffe() == {"a", "b"}
    assert betreffe(f"akte={akten.offen_32_1.pk}") == {"a"}
    assert betreffe("bearbeiter=me") == {"a"}
    assert betreffe("status=erledigt") == set()
    assert betreffe(f"akte={other.akte_id}") == set()  # not the clerk's to see
    assert client.get("/api/v1/vorgaenge?bearbeiter=42").status_code == 422
    assert mine.pk


def test_inbox_views(akten: AkteWorld) -> None:
    w = akten.w
    clerk = as_(w.clerk)
    vorgang_create(principal=clerk, akte=akten.offen_32_1, betreff="mir", bearbeiter=w.clerk)
    vorgang_create(principal=clerk, akte=akten.offen_32_1, betreff="Einheit")
    client = api_client(w.clerk)
    for view, expected in (("mine", ["mir"]), ("unit", ["Einheit"]), ("all", None)):
        body = client.get(f"/api/v1/inbox?view={view}").json()
        assert set(body) == {"count", "limit", "offset", "items"}
        got = [row["betreff"] for row in body["items"]]
        assert got == expected if expected else sorted(got) == ["Einheit", "mir"]
    assert api_client(w.other_clerk).get("/api/v1/inbox").json()["count"] == 0
    assert client.get("/api/v1/inbox?view=alles").status_code == 422


def test_update(akten: AkteWorld) -> None:
    w = akten.w
    vorgang = vorgang_create(principal=as_(w.clerk), akte=akten.offen_32_1, betreff="x")
    client = api_client(w.clerk)
    url = f"/api/v1/vorgaenge/{vorgang.pk}"
    assigned = client.patch(
        url,
        {"status": "in_bearbeitung", "bearbeiter_id": w.clerk.pk, "frist": "2030-01-31"},
        content_type="application/json",
    )
    assert assigned.status_code == 200, assigned.content
    body = assigned.json()
    assert (body["status"], body["bearbeiter"]["username"], body["frist"]) == (
        "in_bearbeitung",
        "clerk",
        "2030-01-31",
    )
    # a field left out stays; an explicit null removes the assignment
    unassigned = client.patch(url, {"bearbeiter_id": None}, content_type="application/json")
    assert unassigned.json()["bearbeiter"] is None
    assert unassigned.json()["status"] == "in_bearbeitung"
    done = client.patch(url, {"status": "erledigt"}, content_type="application/json").json()
    assert done["erledigt_am"] is not None
    assert (
        AuditEvent.objects.filter(action="vorgang.update", object_id=str(vorgang.pk)).count() == 3
    )


def test_move(akten: AkteWorld) -> None:
    w = akten.w
    case = case_file(akten, akten.offen_32_1)
    response = post_json(
        api_client(w.clerk),
        f"/api/v1/vorgaenge/{case.vorgang.pk}/move",
        {"akte_id": akten.vertr_32_1.pk},
    )
    assert response.status_code == 200, response.content
    assert response.json()["akte"]["id"] == akten.vertr_32_1.pk
    case.dokument.refresh_from_db()
    assert case.dokument.vorgang.akte_id == akten.vertr_32_1.pk


def test_moving_into_a_closed_akte_is_refused_and_changes_nothing(akten: AkteWorld) -> None:
    w = akten.w
    clerk = as_(w.clerk)
    closed = check_akte_create(
        principal=clerk,
        position=akten.positions["10.38.50"],
        titel="geschlossen",
        federfuehrende_oe=w.units["32.1"],
    )
    akte_close(principal=clerk, akte=closed)
    case = case_file(akten, akten.offen_32_1)
    response = post_json(
        api_client(w.clerk),
        f"/api/v1/vorgaenge/{case.vorgang.pk}/move",
        {"akte_id": closed.pk},
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"The Akte {closed.aktenzeichen} is closed (zdA); reopen it first.",
        "code": "invalid",
    }
    case.vorgang.refresh_from_db()
    assert case.vorgang.akte_id == akten.offen_32_1.pk
    assert not Vorgang.objects.filter(akte=closed).exists()
    assert not AuditEvent.objects.filter(action="vorgang.move").exists()
    # nor may a new Vorgang be opened in it
    opened = post_json(
        api_client(w.clerk), f"/api/v1/akten/{closed.pk}/vorgaenge", {"betreff": "x"}
    )
    assert opened.status_code == 400
    assert "is closed (zdA)" in opened.json()["detail"]


def test_move_target_one_may_only_view_is_not_found(akten: AkteWorld) -> None:
    w = akten.w
    # other_clerk sees offen_32_1 through a view-only grant, but may not put anything in it
    beteiligung_grant(principal=as_(w.clerk), akte=akten.offen_32_1, unit=w.units["32.2"])
    own = vorgang_create(principal=as_(w.other_clerk), akte=akten.offen_32_2, betreff="x")
    client = api_client(w.other_clerk)
    assert client.get(f"/api/v1/akten/{akten.offen_32_1.pk}").status_code == 200
    response = post_json(
        client, f"/api/v1/vorgaenge/{own.pk}/move", {"akte_id": akten.offen_32_1.pk}
    )
    assert response.status_code == 404
    own.refresh_from_db()
    assert own.akte_id == akten.offen_32_2.pk
