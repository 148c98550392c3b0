"""'My applications' on the account page: an Antrag keeps the citizen who sent it
(``antrag_submit(buerger=…)``), and the list shows only one's own, in one's own Mandant."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from amtsfluss.core.demo import DEMO_PASSWORD
from amtsfluss.dienste.models import Antrag
from amtsfluss.dienste.services.antrag import antrag_submit, status_path
from amtsfluss.konto.demo import DEMO_EMAIL, create_konto_demo
from amtsfluss.konto.models import Buerger
from tests.conftest import World
from tests.dienste.conftest import demo, katalog  # noqa: F401 — fixtures
from tests.dienste.test_einreichung import filled, submit
from tests.konto.conftest import make_buerger, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]
A, B = "a.test", "b.test"
OTHER = "hans.meier@example.org"


def _send(buerger: Buerger | None, world: World) -> Antrag:
    token = filled(Client(HTTP_HOST=A))
    return antrag_submit(mandant=world.a, token=token, buerger=buerger).antrag


@pytest.fixture
def erika(world: World) -> Buerger:
    create_konto_demo(world.a, {})
    return Buerger.objects.get(mandant=world.a, email=DEMO_EMAIL)


def test_the_submission_keeps_the_citizen(world: World, erika: Buerger) -> None:
    antrag = _send(erika, world)
    antrag.refresh_from_db()
    assert antrag.buerger == erika
    assert list(erika.antraege.all()) == [antrag]
    assert _send(None, world).buerger is None


def test_sending_through_the_pages_signed_in_keeps_the_citizen(
    world: World, erika: Buerger
) -> None:
    client = signed_in(A, DEMO_EMAIL, DEMO_PASSWORD)
    submit(client, filled(client))
    anonymous = Client(HTTP_HOST=A)
    submit(anonymous, filled(anonymous))
    assert [a.buerger for a in Antrag.objects.order_by("pk")] == [erika, None]


def test_another_mandants_citizen_is_not_kept(world: World) -> None:
    stranger = make_buerger(world.b, DEMO_EMAIL)
    antrag = _send(stranger, world)
    antrag.refresh_from_db()
    assert antrag.mandant == world.a and antrag.buerger is None


def _rows(page: str) -> list[str]:
    body = page.split("<tbody", 1)[1].split("</tbody>", 1)[0] if "<tbody" in page else ""
    return body.split('<tr class="kern-table__row">')[1:]


def test_the_list_shows_only_ones_own_applications_newest_first(
    world: World, erika: Buerger
) -> None:
    client = signed_in(A, DEMO_EMAIL, DEMO_PASSWORD)
    empty = client.get("/konto/").content.decode()
    assert "Meine Anträge" in empty and "noch keinen Antrag" in empty
    first, second = _send(erika, world), _send(erika, world)
    theirs = _send(make_buerger(world.a, OTHER), world)
    anonymous = _send(None, world)
    page = client.get("/konto/").content.decode()
    rows = _rows(page)
    assert len(rows) == 2
    assert status_path(second) in rows[0] and status_path(first) in rows[1]
    assert "Personenstandsurkunde bestellen" in rows[0]
    assert first.geschaeftszeichen in rows[1] and "Eingegangen" in rows[1]
    for other in (theirs, anonymous):
        assert status_path(other) not in page and other.geschaeftszeichen not in page
    # the link opens the status page
    assert client.get(status_path(first)).status_code == 200
    # the other citizen sees only theirs
    other_page = signed_in(A, OTHER).get("/konto/").content.decode()
    assert len(_rows(other_page)) == 1 and status_path(theirs) in other_page


def test_another_mandant_sees_nothing_of_a(world: World, erika: Buerger) -> None:
    mine = _send(erika, world)
    make_buerger(world.b, DEMO_EMAIL)  # the same address in Mandant B
    page = signed_in(B, DEMO_EMAIL).get("/konto/").content.decode()
    assert _rows(page) == [] and status_path(mine) not in page
    # an Antrag of another Mandant pointing at the citizen is not listed either
    Antrag.objects.filter(pk=mine.pk).update(mandant=world.b)
    own_page = signed_in(A, DEMO_EMAIL, DEMO_PASSWORD).get("/konto/").content.decode()
    assert _rows(own_page) == []


def test_the_list_takes_the_same_queries_for_one_and_for_three(
    world: World, erika: Buerger
) -> None:
    client = signed_in(A, DEMO_EMAIL, DEMO_PASSWORD)
    _send(erika, world)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/konto/").status_code == 200
        return len(captured)

    one = queries()
    _send(erika, world)
    _send(erika, world)
    assert len(_rows(client.get("/konto/").content.decode())) == 3
    assert queries() == one
