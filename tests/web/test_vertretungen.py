"""The Vertretungen page: who sees which, arranging one, ending one — and nobody else's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amtsfluss.core.models import AuditEvent, User, Vertretung
from tests.conftest import World, client_for, make_user


@pytest.fixture
def clerk_away(world: World) -> Vertretung:
    """other_clerk deputises for clerk this week."""
    start = timezone.now() - timedelta(days=1)
    return Vertretung.objects.create(
        mandant=world.a,
        vertretene_person=world.clerk,
        vertretung=world.other_clerk,
        valid_from=start,
        valid_until=start + timedelta(days=7),
        reason="Kur an der Ostsee",
        created_by=world.clerk,
    )


def form_data(**values: object) -> dict[str, object]:
    start = timezone.localtime() + timedelta(days=1)
    data: dict[str, object] = {
        "valid_from": start.strftime("%Y-%m-%dT%H:%M"),
        "valid_until": (start + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
        "reason": "Fortbildung",
    }
    data.update(values)
    return data


def end_url(vertretung: Vertretung) -> str:
    return f"/intern/vertretungen/{vertretung.pk}/beenden/"


def test_list_shows_what_the_person_may_see(world: World, clerk_away: Vertretung) -> None:
    for user, sees in [
        (world.clerk, True),  # represented
        (world.other_clerk, True),  # deputy
        (world.head, True),  # Amtsleitung over the clerk
        (world.dsb, True),  # Datenschutz sees all
        (world.admin, True),  # Fachadministration sees all
    ]:
        html = client_for(user, "a.test").get("/intern/vertretungen/").content.decode()
        assert ("Kur an der Ostsee" in html) is sees, user.username
    other = client_for(world.b_clerk, "b.test").get("/intern/vertretungen/").content.decode()
    assert "Kur an der Ostsee" not in other
    assert "Keine Vertretungen, die Sie sehen dürfen." in other


def test_end_button_only_where_the_person_may_end(world: World, clerk_away: Vertretung) -> None:
    button = f'action="{end_url(clerk_away)}"'

    def page_of(user: User) -> str:
        return client_for(user, "a.test").get("/intern/vertretungen/").content.decode()

    assert button in page_of(world.clerk)
    assert button in page_of(world.head)
    assert button not in page_of(world.dsb)


def test_arrange_a_vertretung_for_oneself(world: World) -> None:
    client = client_for(world.clerk, "a.test")
    response = client.post(
        "/intern/vertretungen/",
        form_data(vertretene_person=world.clerk.pk, vertretung=world.other_clerk.pk),
    )
    assert response.status_code == 302
    row = Vertretung.objects.get()
    assert (row.vertretene_person, row.vertretung, row.reason) == (
        world.clerk,
        world.other_clerk,
        "Fortbildung",
    )
    assert row.valid_until - row.valid_from == timedelta(days=5)
    event = AuditEvent.objects.get(action="vertretung.create")
    assert (event.actor_id, event.object_id) == (world.clerk.pk, str(row.pk))
    page = client.get("/intern/vertretungen/").content.decode()
    assert "Die Vertretung ist eingerichtet." in page and "geplant" in page


def test_a_clerk_may_not_arrange_for_a_colleague(world: World) -> None:
    response = client_for(world.clerk, "a.test").post(
        "/intern/vertretungen/",
        form_data(vertretene_person=world.head.pk, vertretung=world.other_clerk.pk),
    )
    assert response.status_code == 403
    assert "Sie dürfen für diese Person keine Vertretung einrichten." in response.content.decode()
    assert not Vertretung.objects.exists()


def test_persons_of_another_mandant_are_no_choice(world: World) -> None:
    client = client_for(world.clerk, "a.test")
    page = client.get("/intern/vertretungen/").content.decode()
    assert "b_clerk" not in page
    response = client.post(
        "/intern/vertretungen/",
        form_data(vertretene_person=world.clerk.pk, vertretung=world.b_clerk.pk),
    )
    assert response.status_code == 400
    assert 'id="id_vertretung_error"' in response.content.decode()
    assert not Vertretung.objects.exists()


def test_end_before_start_is_refused_with_a_field_error(world: World) -> None:
    start = timezone.localtime() + timedelta(days=2)
    response = client_for(world.clerk, "a.test").post(
        "/intern/vertretungen/",
        form_data(
            vertretene_person=world.clerk.pk,
            vertretung=world.other_clerk.pk,
            valid_from=start.strftime("%Y-%m-%dT%H:%M"),
            valid_until=(start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        ),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_valid_until_error"' in html
    assert "Das Ende einer Vertretung muss nach ihrem Beginn liegen." in html


@pytest.mark.parametrize("who", ["clerk", "head"])
def test_represented_person_and_amtsleitung_can_end_it(
    world: World, clerk_away: Vertretung, who: str
) -> None:
    client = client_for(getattr(world, who), "a.test")
    response = client.post(end_url(clerk_away))
    assert response.status_code == 302
    clerk_away.refresh_from_db()
    assert clerk_away.valid_until <= timezone.now()
    event = AuditEvent.objects.get(action="vertretung.end")
    assert (event.actor_id, event.object_id) == (getattr(world, who).pk, str(clerk_away.pk))
    assert "beendet" in client.get("/intern/vertretungen/").content.decode()


def test_user_of_another_mandant_cannot_end_it(world: World, clerk_away: Vertretung) -> None:
    until = clerk_away.valid_until
    response = client_for(world.b_clerk, "b.test").post(end_url(clerk_away))
    assert response.status_code == 404
    clerk_away.refresh_from_db()
    assert clerk_away.valid_until == until
    denied = AuditEvent.objects.get(action="core.vertretung.change")
    assert (denied.mandant_id, denied.actor_id, denied.outcome) == (
        world.b.pk,
        world.b_clerk.pk,
        "denied",
    )


def test_clerk_of_another_unit_who_is_not_involved_cannot_end_it(
    world: World, clerk_away: Vertretung
) -> None:
    # a third clerk in 32.2, beside other_clerk (who is the deputy and so involved)
    bystander = make_user(world.a, "bystander", world.units["32.2"], "sachbearbeitung")
    until = clerk_away.valid_until
    response = client_for(bystander, "a.test").post(end_url(clerk_away))
    assert response.status_code == 404
    clerk_away.refresh_from_db()
    assert clerk_away.valid_until == until


def test_datenschutz_sees_but_cannot_end(world: World, clerk_away: Vertretung) -> None:
    assert client_for(world.dsb, "a.test").post(end_url(clerk_away)).status_code == 404


def test_ending_is_post_only(world: World, clerk_away: Vertretung) -> None:
    assert client_for(world.clerk, "a.test").get(end_url(clerk_away)).status_code == 405


def test_list_costs_the_same_queries_for_one_row_and_for_many(world: World) -> None:
    client = client_for(world.admin, "a.test")
    people = [world.clerk, world.other_clerk, world.head, world.dsb]

    def arrange(n: int) -> None:
        for i in range(n):
            person, deputy = people[i % 4], people[(i + 1) % 4]
            start = timezone.now() + timedelta(days=i)
            Vertretung.objects.create(
                mandant=world.a,
                vertretene_person=person,
                vertretung=deputy,
                valid_from=start,
                valid_until=start + timedelta(days=1),
                created_by=world.admin,
            )

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/intern/vertretungen/").status_code == 200
        return len(queries)

    arrange(1)
    one = count()
    arrange(7)
    assert count() == one
