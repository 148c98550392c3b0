"""Akten through the API: list and filters, forming, file cover, zdA, refile, grants, persons."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from amtsfluss.akte.models import (
    Akte,
    Beteiligter,
    Beteiligung,
    FruehereAktenzeichen,
    Person,
    VorgangStatus,
)
from amtsfluss.akte.services.vorgang import vorgang_update
from amtsfluss.core.models import AuditEvent
from tests.api.akte.conftest import AkteWorld, as_, case_file, post_json
from tests.api.conftest import api_client


def test_list_shows_what_the_policy_admits(akten: AkteWorld) -> None:
    w = akten.w
    titles = {
        user.username: [a["titel"] for a in api_client(user).get("/api/v1/akten").json()["items"]]
        for user in (w.clerk, w.other_clerk, w.head, w.admin)
    }
    assert sorted(titles["clerk"]) == [
        "offen 32.1",
        "streng_vertraulich 32.1",
        "vertraulich 32.1",
    ]
    assert titles["other_clerk"] == ["offen 32.2"]
    assert sorted(titles["head"]) == ["offen 32.1", "offen 32.2", "vertraulich 32.1"]
    assert titles["admin"] == []  # Fachadministration reads no case files


def test_list_filters(akten: AkteWorld) -> None:
    w = akten.w
    client = api_client(w.head)

    def ids(query: str) -> set[int]:
        response = client.get(f"/api/v1/akten?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["items"]}

    leaf_50, leaf_60 = akten.positions["10.38.50"].pk, akten.positions["10.38.60"].pk
    assert ids(f"position={leaf_60}") == {akten.offen_32_2.pk}
    assert ids(f"position={leaf_50}") == {akten.offen_32_1.pk, akten.vertr_32_1.pk}
    assert ids(f"federfuehrende_oe={w.units['32.2'].pk}") == {akten.offen_32_2.pk}
    assert ids("q=VERTRAULICH") == {akten.vertr_32_1.pk}
    assert ids(f"q={akten.offen_32_2.aktenzeichen}") == {akten.offen_32_2.pk}
    assert ids("status=zda") == set()
    assert client.get("/api/v1/akten?status=geschlossen").status_code == 422


def test_create_issues_an_aktenzeichen(akten: AkteWorld) -> None:
    w = akten.w
    response = post_json(
        api_client(w.clerk),
        "/api/v1/akten",
        {
            "position_id": akten.positions["10.38.50"].pk,
            "titel": "Gewerbe Müller",
            "federfuehrende_oe_id": w.units["32.1"].pk,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    year = timezone.localdate().year
    akte = Akte.objects.get(pk=body["id"])
    assert (body["titel"], body["aktenzeichen"]) == ("Gewerbe Müller", akte.aktenzeichen)
    assert body["aktenzeichen"] == f"32.1-10.38.50/0004/{year}"
    assert body["created_by"]["username"] == "clerk"
    assert body["vertraulichkeit"] == "offen"
    assert AuditEvent.objects.filter(action="akte.create", object_id=str(akte.pk)).exists()
    # without a unit, the position's federführende OE (32) forms it: the head works there
    default = post_json(
        api_client(w.head),
        "/api/v1/akten",
        {"position_id": akten.positions["10.38.60"].pk, "titel": "Gaststätte"},
    )
    assert default.status_code == 201, default.content
    assert default.json()["federfuehrende_oe"]["code"] == "32"
    assert default.json()["aktenzeichen"] == f"32-10.38.60/0001/{year}"


def test_create_is_refused_with_reasons(akten: AkteWorld) -> None:
    w = akten.w
    client = api_client(w.clerk)
    inner = post_json(
        client, "/api/v1/akten", {"position_id": akten.positions["10.38"].pk, "titel": "x"}
    )
    assert inner.status_code == 400
    assert "lowest level of the Aktenplan" in inner.json()["detail"]
    other_unit = post_json(
        client,
        "/api/v1/akten",
        {
            "position_id": akten.positions["10.38.50"].pk,
            "titel": "x",
            "federfuehrende_oe_id": w.units["32.2"].pk,
        },
    )
    assert other_unit.status_code == 403
    assert other_unit.json() == {"detail": "You do not work in the unit 32.2.", "code": "forbidden"}
    foreign_unit = post_json(
        client,
        "/api/v1/akten",
        {
            "position_id": akten.positions["10.38.50"].pk,
            "titel": "x",
            "federfuehrende_oe_id": w.b_units["32"].pk,
        },
    )
    assert foreign_unit.json() == {"detail": "This unit does not exist.", "code": "invalid"}
    assert Akte.objects.count() == 4


def test_cover(akten: AkteWorld) -> None:
    w = akten.w
    case = case_file(akten, akten.offen_32_1)
    response = api_client(w.clerk).get(f"/api/v1/akten/{akten.offen_32_1.pk}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["aktenzeichen"] == akten.offen_32_1.aktenzeichen
    assert body["position"]["kennzeichen"] == "10.38.50"
    assert body["federfuehrende_oe"]["code"] == "32.1"
    assert body["beteiligte"] == [
        {
            "id": case.beteiligter.pk,
            "rolle": "Antragstellerin",
            "person": {
                "id": case.beteiligter.person_id,
                "art": "natuerlich",
                "name": "Mustermann",
                "vorname": "Erika",
                "geburtsdatum": None,
                "registernummer": "",
                "strasse": "",
                "plz": "",
                "ort": "",
                "email": "",
            },
        }
    ]
    assert [g["user"]["username"] for g in body["beteiligungen"]] == ["head"]
    assert body["fruehere_aktenzeichen"] == []
    assert body["counts"] == {
        "vorgaenge": 1,
        "offene_vorgaenge": 1,
        "dokumente": 1,
        "offene_wiedervorlagen": 1,
    }


def test_confidential_read_is_audited(akten: AkteWorld) -> None:
    w = akten.w
    client = api_client(w.head)
    assert client.get(f"/api/v1/akten/{akten.offen_32_1.pk}").status_code == 200
    assert client.get(f"/api/v1/akten/{akten.vertr_32_1.pk}").status_code == 200
    reads = AuditEvent.objects.filter(action="akte.akte.read_confidential", actor_id=w.head.pk)
    assert list(reads.values_list("object_id", flat=True)) == [str(akten.vertr_32_1.pk)]
    # … and it shows in the Akte's history, for those who may see the Akte
    history = client.get(f"/api/v1/akten/{akten.vertr_32_1.pk}/history").json()
    assert [e["action"] for e in history["items"]][:2] == [
        "akte.akte.read_confidential",  # the history read itself
        "akte.akte.read_confidential",
    ]
    assert history["items"][-1]["action"] == "akte.create"


def test_history_leaves_out_refusals_of_others(akten: AkteWorld) -> None:
    w = akten.w
    assert api_client(w.other_clerk).get(f"/api/v1/akten/{akten.offen_32_1.pk}").status_code == 404
    history = api_client(w.clerk).get(f"/api/v1/akten/{akten.offen_32_1.pk}/history").json()
    assert history["count"] == 1
    assert history["items"][0]["action"] == "akte.create"
    assert history["items"][0]["actor_label"] == "clerk"


def test_zda_and_reopen(akten: AkteWorld) -> None:
    w = akten.w
    client = api_client(w.clerk)
    case = case_file(akten, akten.offen_32_1)
    url = f"/api/v1/akten/{akten.offen_32_1.pk}"
    refused = client.post(f"{url}/zda")
    assert refused.status_code == 400
    assert refused.json()["detail"] == "The Akte still has 1 open Vorgänge; close them first."
    vorgang_update(principal=as_(w.clerk), vorgang=case.vorgang, status=VorgangStatus.ERLEDIGT)
    closed = client.post(f"{url}/zda")
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "zda"
    assert closed.json()["aufbewahren_bis"] == f"{timezone.localdate().year + 10}-12-31"
    assert client.post(f"{url}/zda").json()["detail"] == "The Akte is already closed."
    reopened = client.post(f"{url}/reopen")
    assert (reopened.json()["status"], reopened.json()["aufbewahren_bis"]) == ("offen", None)


def test_refile_keeps_the_former_aktenzeichen(akten: AkteWorld) -> None:
    w = akten.w
    old = akten.offen_32_1.aktenzeichen
    client = api_client(w.clerk)
    url = f"/api/v1/akten/{akten.offen_32_1.pk}"
    response = post_json(client, f"{url}/refile", {"position_id": akten.positions["10.38.60"].pk})
    assert response.status_code == 200, response.content
    assert response.json()["position"]["kennzeichen"] == "10.38.60"
    assert response.json()["aktenzeichen"] != old
    assert client.get(url).json()["fruehere_aktenzeichen"][0]["aktenzeichen"] == old
    assert FruehereAktenzeichen.objects.filter(aktenzeichen=old).exists()
    again = post_json(client, f"{url}/refile", {"position_id": akten.positions["10.38.60"].pk})
    assert again.json()["detail"] == "The Akte is already filed there."


def test_grants_open_and_close_an_akte_for_a_unit(akten: AkteWorld) -> None:
    w = akten.w
    owner, neighbour = api_client(w.clerk), api_client(w.other_clerk)
    url = f"/api/v1/akten/{akten.offen_32_1.pk}"
    assert neighbour.get(url).status_code == 404
    until = (timezone.now() + timedelta(days=1)).isoformat()
    granted = post_json(
        owner, f"{url}/beteiligungen", {"unit_id": w.units["32.2"].pk, "gueltig_bis": until}
    )
    assert granted.status_code == 201, granted.content
    assert granted.json()["unit"]["code"] == "32.2"
    assert granted.json()["darf_bearbeiten"] is False
    assert neighbour.get(url).status_code == 200
    # view only: the neighbour may not change it (not even revoke the grant)
    grant_url = f"{url}/beteiligungen/{granted.json()['id']}"
    assert neighbour.delete(grant_url).status_code == 404
    assert owner.delete(grant_url).status_code == 204
    assert neighbour.get(url).status_code == 404
    assert not Beteiligung.objects.filter(pk=granted.json()["id"]).exists()


def test_confidential_akten_are_shared_with_persons_only(akten: AkteWorld) -> None:
    w = akten.w
    url = f"/api/v1/akten/{akten.vertr_32_1.pk}/beteiligungen"
    response = post_json(api_client(w.clerk), url, {"unit_id": w.units["32.2"].pk})
    assert response.status_code == 400
    assert response.json()["detail"] == "Confidential Akten are shared with named persons only."
    both = post_json(
        api_client(w.clerk), url, {"unit_id": w.units["32.2"].pk, "user_id": w.other_clerk.pk}
    )
    assert both.json()["detail"] == "Grant access either to a unit or to a person."
    person = post_json(api_client(w.clerk), url, {"user_id": w.other_clerk.pk})
    assert person.status_code == 201
    assert api_client(w.other_clerk).get(f"/api/v1/akten/{akten.vertr_32_1.pk}").status_code == 200


def test_grant_of_another_akte_is_not_found_here(akten: AkteWorld) -> None:
    w = akten.w
    other = case_file(akten, akten.vertr_32_1)
    url = f"/api/v1/akten/{akten.offen_32_1.pk}/beteiligungen/{other.beteiligung.pk}"
    assert api_client(w.clerk).delete(url).status_code == 404
    assert Beteiligung.objects.filter(pk=other.beteiligung.pk).exists()


def test_beteiligte_new_and_existing_person(akten: AkteWorld) -> None:
    w = akten.w
    client = api_client(w.clerk)
    url = f"/api/v1/akten/{akten.offen_32_1.pk}/beteiligte"
    created = post_json(
        client,
        url,
        {
            "rolle": "Antragsteller",
            "person": {
                "art": "natuerlich",
                "name": "Öztürk",
                "vorname": "Ayşe",
                "geburtsdatum": "1980-05-17",
                "email": "a.oeztuerk@example.org",
            },
        },
    )
    assert created.status_code == 201, created.content
    person_id = created.json()["person"]["id"]
    assert Person.objects.get(pk=person_id).mandant_id == w.a.pk
    linked = post_json(
        client,
        f"/api/v1/akten/{akten.vertr_32_1.pk}/beteiligte",
        {"person_id": person_id, "rolle": "Betroffene"},
    )
    assert linked.status_code == 201, linked.content
    assert Beteiligter.objects.filter(person_id=person_id).count() == 2
    events = AuditEvent.objects.filter(action="akte.beteiligter_add")
    assert events.count() == 2


def test_beteiligte_refusals(akten: AkteWorld) -> None:
    w = akten.w
    url = f"/api/v1/akten/{akten.offen_32_2.pk}/beteiligte"
    # a person known only from an Akte the caller cannot see does not exist for them
    hidden = case_file(akten, akten.offen_32_1).beteiligter.person_id
    response = post_json(api_client(w.other_clerk), url, {"person_id": hidden, "rolle": "x"})
    assert response.status_code == 400
    assert response.json()["detail"] == "This person does not exist."
    neither = post_json(api_client(w.other_clerk), url, {"rolle": "x"})
    assert neither.status_code == 422
    bad_mail = post_json(
        api_client(w.other_clerk),
        url,
        {"rolle": "x", "person": {"art": "natuerlich", "name": "A", "email": "kein@"}},
    )
    assert bad_mail.status_code == 422
    assert Beteiligter.objects.filter(akte=akten.offen_32_2).count() == 0
