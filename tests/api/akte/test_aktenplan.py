"""The Aktenplan through the API: read by all staff, kept by Registratur/Fachadministration."""

from __future__ import annotations

import json
from typing import Any

from amtsfluss.akte.models import Aktenplanposition
from amtsfluss.akte.services.aktenplan import position_create
from amtsfluss.akte.services.aktenplan_io import aktenplan_import
from amtsfluss.core.models import AuditEvent, Role
from amtsfluss.core.services.organisation import membership_grant
from tests.api.akte.conftest import AkteWorld, post_json
from tests.api.conftest import api_client


def test_list_is_flat_in_kennzeichen_order(akten: AkteWorld) -> None:
    w = akten.w
    for kennzeichen in ("10.38.100", "10.9", "2"):
        position_create(mandant=w.a, kennzeichen=kennzeichen, titel=kennzeichen, by=None)
    body = api_client(w.other_clerk).get("/api/v1/aktenplan").json()
    assert [p["kennzeichen"] for p in body["items"]] == [
        "2",
        "10",
        "10.9",
        "10.38",
        "10.38.50",
        "10.38.60",
        "10.38.100",
    ]
    by_code = {p["kennzeichen"]: p for p in body["items"]}
    leaf = by_code["10.38.50"]
    assert leaf == {
        "id": akten.positions["10.38.50"].pk,
        "parent_id": akten.positions["10.38"].pk,
        "kennzeichen": "10.38.50",
        "titel": "Gewerbeanzeigen",
        "beschreibung": "",
        "is_leaf": True,
        "is_active": True,
        "aufbewahrung_jahre": 10,
        "aufbewahrung_dauernd": False,
        "archivwuerdigkeit": "B",
        "federfuehrende_oe_id": w.units["32"].pk,
    }
    assert by_code["10.38"]["is_leaf"] is False
    page = api_client(w.clerk).get("/api/v1/aktenplan?limit=2&offset=2").json()
    assert (page["count"], [p["kennzeichen"] for p in page["items"]]) == (7, ["10.9", "10.38"])
    single = api_client(w.dsb).get(f"/api/v1/aktenplan/{leaf['id']}")
    assert single.json() == leaf


def test_registratur_and_fachadministration_create_positions(akten: AkteWorld) -> None:
    w = akten.w
    membership_grant(user=w.other_clerk, unit=w.units["32.2"], role=Role.REGISTRATUR, by=None)
    for user, kennzeichen in ((w.admin, "10.38.70"), (w.other_clerk, "10.38.80")):
        response = post_json(
            api_client(user),
            "/api/v1/aktenplan",
            {
                "kennzeichen": kennzeichen,
                "titel": "Märkte",
                "beschreibung": "Wochenmärkte\nund Volksfeste",
                "aufbewahrung_jahre": 5,
                "archivwuerdigkeit": "V",
                "federfuehrende_oe_id": w.units["32.2"].pk,
            },
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["parent_id"] == akten.positions["10.38"].pk
        assert (body["aufbewahrung_jahre"], body["archivwuerdigkeit"]) == (5, "V")
        assert AuditEvent.objects.filter(
            action="aktenplan.position_create", object_id=str(body["id"]), actor_id=user.pk
        ).exists()


def test_others_may_not_create_positions(akten: AkteWorld) -> None:
    w = akten.w
    body = {"kennzeichen": "10.38.70", "titel": "Märkte"}
    for user in (w.clerk, w.head, w.dsb):
        response = post_json(api_client(user), "/api/v1/aktenplan", body)
        assert response.status_code == 403
        assert response.json() == {
            "detail": "Only Registratur and Fachadministration keep the Aktenplan.",
            "code": "forbidden",
        }
    read_key = post_json(api_client(w.admin, scopes=["read"]), "/api/v1/aktenplan", body)
    assert read_key.json()["detail"] == "This key may not change anything."
    assert not Aktenplanposition.objects.filter(kennzeichen="10.38.70").exists()


def test_position_refusals(akten: AkteWorld) -> None:
    client = api_client(akten.w.admin)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kennzeichen": "10.38.50", "titel": "x"}, "The Kennzeichen 10.38.50 exists already."),
        ({"kennzeichen": "99.1", "titel": "x"}, "Position 99.1 needs its parent 99 first."),
        (
            {"kennzeichen": "10.38.50.1", "titel": "x"},
            "Akten are filed at 10.38.50, so it cannot get sub-positions.",
        ),
        (
            {
                "kennzeichen": "7",
                "titel": "x",
                "aufbewahrung_jahre": 5,
                "aufbewahrung_dauernd": True,
            },
            "Position 7: retention is either years or permanent.",
        ),
        (
            {"kennzeichen": "8", "titel": "x", "federfuehrende_oe_id": akten.w.b_units["32"].pk},
            "This unit does not exist.",
        ),
    ]
    for body, message in cases:
        response = post_json(client, "/api/v1/aktenplan", body)
        assert (response.status_code, response.json()["detail"]) == (400, message)
    assert (
        post_json(client, "/api/v1/aktenplan", {"kennzeichen": "x", "titel": "y"})
        .json()["detail"]
        .endswith("is not a valid Kennzeichen (digit groups separated by dots, e.g. 10.38.50).")
    )
    for bad in ({"kennzeichen": "9", "titel": ""}, {"kennzeichen": "9", "titel": "a\x00"}):
        assert post_json(client, "/api/v1/aktenplan", bad).status_code == 422


def test_export_round_trips(akten: AkteWorld) -> None:
    w = akten.w
    client = api_client(w.clerk)
    as_json = client.get("/api/v1/aktenplan/export?format=json")
    assert as_json.status_code == 200
    assert as_json["Content-Type"] == "application/json"
    assert as_json["Content-Disposition"] == (
        "attachment; filename=\"aktenplan-a.json\"; filename*=UTF-8''aktenplan-a.json"
    )
    rows = json.loads(as_json.content)
    assert [r["kennzeichen"] for r in rows] == ["10", "10.38", "10.38.50", "10.38.60"]
    assert rows[2]["aufbewahrung"] == "10"
    as_csv = client.get("/api/v1/aktenplan/export")
    assert as_csv["Content-Type"] == "text/csv; charset=utf-8"
    assert as_csv.content.startswith(b"\xef\xbb\xbfkennzeichen;titel;")
    # the export is the import format: Mandant B takes it over
    result = aktenplan_import(mandant=w.b, data=as_json.content, fmt="json", by=None)
    assert result is not None
    assert Aktenplanposition.objects.filter(mandant=w.b).count() == 4
    assert client.get("/api/v1/aktenplan/export?format=xml").status_code == 422
