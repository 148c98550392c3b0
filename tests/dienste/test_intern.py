"""The staff side of online applications: who sees an Antrag, its page, status changes."""

from __future__ import annotations

import pytest
from django.test import Client

from amtsfluss.core.models import AuditEvent, Role
from amtsfluss.core.permissions import Principal
from amtsfluss.dienste.models import Antrag, AntragStatus, Leistung
from amtsfluss.dienste.selectors.antrag import antraege_visible
from tests.conftest import client_for, make_user
from tests.dienste.conftest import Katalog
from tests.dienste.test_antrag import A, B
from tests.dienste.test_einreichung import filled, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def antrag(katalog: Katalog, demo: dict[str, Leistung]) -> Antrag:
    client = Client(HTTP_HOST=A)
    submit(client, filled(client))
    return Antrag.objects.select_related("vorgang").get()


def standesamt(katalog: Katalog) -> Client:
    user = make_user(katalog.w.a, "standesamt", katalog.w.units["34"], Role.SACHBEARBEITUNG)
    return client_for(user, A)


def test_responsible_unit_sees_the_form_data_at_a_glance(katalog: Katalog, antrag: Antrag) -> None:
    client = standesamt(katalog)
    listing = client.get("/intern/antraege/").content.decode()
    assert f"/intern/antraege/{antrag.pk}/" in listing and "Erika Mustermann" in listing
    page = client.get(f"/intern/antraege/{antrag.pk}/").content.decode()
    for text in ("Vorname", "Erika", "Geburtsurkunde", "Heidestraße 17, 51147 Köln", "24,00 €"):
        assert text in page
    assert antrag.geschaeftszeichen in page and "erika@example.org" in page
    vorgang_page = client.get(f"/intern/vorgaenge/{antrag.vorgang_id}/").content.decode()
    assert f'href="/intern/antraege/{antrag.pk}/"' in vorgang_page  # linked from the Vorgang


def test_status_change_by_the_unit(katalog: Katalog, antrag: Antrag) -> None:
    client = standesamt(katalog)
    url = f"/intern/antraege/{antrag.pk}/status/"
    response = client.post(url, {"status": "in_bearbeitung", "notiz": "Wir prüfen"})
    assert response.status_code == 302
    antrag.refresh_from_db()
    assert antrag.status == AntragStatus.IN_BEARBEITUNG
    event = antrag.ereignisse.get(status="in_bearbeitung")
    assert event.notiz == "Wir prüfen" and event.by is not None
    assert event.by.username == "standesamt"
    assert AuditEvent.objects.filter(action="antrag.status", object_id=str(antrag.pk)).exists()
    # only the offered changes; anything else is refused and changes nothing
    for bad in ("entschieden", "rueckfrage", "eingegangen", "x" * 500, ""):
        client.post(url, {"status": bad})
    antrag.refresh_from_db()
    assert antrag.status == AntragStatus.IN_BEARBEITUNG
    assert client.get(url).status_code == 405


def test_other_unit_and_other_mandant_get_404(katalog: Katalog, antrag: Antrag) -> None:
    w = katalog.w
    other = client_for(w.clerk, A)  # Sachbearbeitung in 32.1, not the Standesamt
    assert f"/intern/antraege/{antrag.pk}/" not in other.get("/intern/antraege/").content.decode()
    assert other.get(f"/intern/antraege/{antrag.pk}/").status_code == 404
    url = f"/intern/antraege/{antrag.pk}/status/"
    assert other.post(url, {"status": "abgeschlossen"}).status_code == 404
    foreign = client_for(w.b_clerk, B)
    assert foreign.get(f"/intern/antraege/{antrag.pk}/").status_code == 404
    assert foreign.post(url, {"status": "abgeschlossen"}).status_code == 404
    assert "Erika" not in foreign.get("/intern/antraege/").content.decode()
    antrag.refresh_from_db()
    assert antrag.status == AntragStatus.EINGEGANGEN
    refused = AuditEvent.objects.filter(action="dienste.antrag.view", object_id=str(antrag.pk))
    assert refused.exists()
    anonymous = Client(HTTP_HOST=A).get(f"/intern/antraege/{antrag.pk}/")
    assert anonymous.status_code == 302 and "/anmelden/" in anonymous["Location"]


def test_visibility_follows_the_vorgang(katalog: Katalog, antrag: Antrag) -> None:
    w = katalog.w
    head_of_34 = make_user(w.a, "leitung34", w.units["34"], Role.AMTSLEITUNG)
    seen = {
        name: list(antraege_visible(principal=Principal(user=user, mandant=user.mandant)))
        for name, user in [
            ("leitung34", head_of_34),
            ("clerk", w.clerk),
            ("head32", w.head),
            ("admin", w.admin),
            ("b_clerk", w.b_clerk),
        ]
    }
    assert seen == {"leitung34": [antrag], "clerk": [], "head32": [], "admin": [], "b_clerk": []}


def test_list_costs_constant_queries(
    katalog: Katalog, antrag: Antrag, django_assert_max_num_queries: object
) -> None:
    client = standesamt(katalog)
    for _ in range(3):
        submit(Client(HTTP_HOST=A), filled(Client(HTTP_HOST=A)))
    with django_assert_max_num_queries(20):  # type: ignore[operator]
        assert client.get("/intern/antraege/").status_code == 200
