"""A draft started by a signed-in citizen begins with their profile (docs/forms.md, "Prefill"):
the demo services for the demo citizen, through the real pages; nothing for an anonymous
applicant or another Mandant's citizen; the applicant can change every prefilled entry."""

from __future__ import annotations

import pytest
from django.test import Client

from amtsfluss.core.demo import DEMO_PASSWORD
from amtsfluss.dienste.formdef.model import Definition
from amtsfluss.dienste.models import Entwurf, Leistung
from amtsfluss.dienste.prefill import prefill_entries
from amtsfluss.dienste.selectors.entwurf import definition_of
from amtsfluss.dienste.selectors.katalog import current_version
from amtsfluss.konto.demo import DEMO_EMAIL, create_konto_demo
from amtsfluss.konto.models import Buerger
from tests.conftest import World
from tests.dienste.conftest import GEWERBE, URKUNDE
from tests.dienste.test_antrag import URKUNDE_SCHRITT_2, A, B
from tests.konto.conftest import signed_in

pytestmark = pytest.mark.django_db

URKUNDE_PREFILL = {
    "vorname": "Erika",
    "nachname": "Mustermann",
    "anschrift-strasse": "Heidestraße 17",
    "anschrift-zusatz": "",
    "anschrift-plz": "51147",
    "anschrift-ort": "Musterstadt",
    "email": DEMO_EMAIL,
    "telefon": "0221 123456",
}
GEWERBE_PREFILL = {
    "nachname": "Mustermann",
    "vornamen": "Erika",
    "wohnanschrift-strasse": "Heidestraße 17",
    "wohnanschrift-zusatz": "",
    "wohnanschrift-plz": "51147",
    "wohnanschrift-ort": "Musterstadt",
    "email": DEMO_EMAIL,
    "telefon": "0221 123456",
}


def _start(client: Client, leika: str = URKUNDE, host: str = A) -> Entwurf:
    response = client.post(f"/dienste/{leika}/antrag/", HTTP_HOST=host)
    assert response.status_code == 302, response.content[:300]
    return Entwurf.objects.order_by("-pk").first() or pytest.fail("no draft")


def _definition(leistung: Leistung) -> Definition:
    version = current_version(leistung=leistung)
    assert version is not None
    return definition_of(version)


@pytest.fixture
def citizen(world: World) -> Client:
    create_konto_demo(world.a, {})
    return signed_in(A, DEMO_EMAIL, DEMO_PASSWORD)


@pytest.mark.parametrize(
    ("leika", "expected"), [(URKUNDE, URKUNDE_PREFILL), (GEWERBE, GEWERBE_PREFILL)]
)
def test_demo_services_start_with_the_demo_citizens_details(
    demo: dict[str, Leistung], citizen: Client, leika: str, expected: dict[str, str]
) -> None:
    entwurf = _start(citizen, leika)
    # only the applicant's own top-level fields: not the company name (organization), not the
    # delivery or business address, not a representative's name inside the group
    assert entwurf.daten == expected
    assert entwurf.fertige_schritte == []  # nothing counts as checked yet


def test_the_step_page_shows_the_prefilled_entries(
    demo: dict[str, Leistung], citizen: Client
) -> None:
    response = citizen.get(f"/dienste/{URKUNDE}/antrag/")
    assert response.status_code == 200
    start = citizen.post(f"/dienste/{URKUNDE}/antrag/")
    page = citizen.get(start["Location"].replace("/1/", "/2/")).content.decode()
    for value in ("Erika", "Mustermann", "Heidestraße 17", "51147", "Musterstadt", DEMO_EMAIL):
        assert f'value="{value}"' in page, value
    # the lieferanschrift on step 3 stays empty
    page3 = citizen.get(start["Location"].replace("/1/", "/3/")).content.decode()
    assert 'name="lieferanschrift-strasse"' in page3
    assert 'value="Heidestraße 17"' not in page3


def test_the_applicant_overwrites_a_prefilled_entry(
    demo: dict[str, Leistung], citizen: Client
) -> None:
    step2 = citizen.post(f"/dienste/{URKUNDE}/antrag/")["Location"].replace("/1/", "/2/")
    changed = {**URKUNDE_SCHRITT_2, "vorname": "Eri", "anschrift-ort": "Köln", "telefon": ""}
    assert citizen.post(step2, changed).status_code == 302
    entwurf = Entwurf.objects.get()
    assert entwurf.daten["vorname"] == "Eri"
    assert entwurf.daten["anschrift-ort"] == "Köln"
    assert entwurf.daten["telefon"] == ""  # emptied by the applicant, not filled again
    assert entwurf.daten["email"] == "erika@example.org"
    page = citizen.get(step2).content.decode()
    assert 'value="Eri"' in page and 'value="Köln"' in page


def test_nothing_is_prefilled_without_a_signed_in_citizen(demo: dict[str, Leistung]) -> None:
    create_konto_demo(demo[URKUNDE].mandant, {})
    assert _start(Client(HTTP_HOST=A)).daten == {}


def test_another_mandants_citizen_prefills_nothing(demo: dict[str, Leistung], world: World) -> None:
    create_konto_demo(world.b, {})  # the same address and profile, in Mandant B
    client = signed_in(B, DEMO_EMAIL, DEMO_PASSWORD)
    assert _start(client, host=A).daten == {}


def test_hostile_profile_values_are_escaped_and_over_long_ones_left_out(
    demo: dict[str, Leistung], citizen: Client
) -> None:
    Buerger.objects.filter(email=DEMO_EMAIL).update(
        vorname='"><script>alert(1)</script>', nachname="x" * 100, ort="Ort\u202eevil"
    )
    definition = _definition(demo[URKUNDE])
    long_values = {"nachname": "x" * 201, "plz": "123456", "ort": "Köln", "email": "a@b.de"}
    entries = prefill_entries(definition, long_values)
    assert "nachname" not in entries  # longer than the field takes: not stored cut
    assert entries["anschrift-plz"] == "" and entries["anschrift-ort"] == "Köln"
    token_path = citizen.post(f"/dienste/{URKUNDE}/antrag/")["Location"]
    page = citizen.get(token_path.replace("/1/", "/2/")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # the checks still apply: the bidirectional override is refused when the step is sent
    response = citizen.post(
        token_path.replace("/1/", "/2/"),
        {**URKUNDE_SCHRITT_2, "anschrift-ort": "Ort\u202eevil"},
    )
    assert response.status_code == 200
    assert "nicht erlaubt" in response.content.decode()


def test_prefill_entries_ignores_groups_and_empty_values(demo: dict[str, Leistung]) -> None:
    definition = _definition(demo[GEWERBE])
    assert prefill_entries(definition, {}) == {}
    entries = prefill_entries(definition, {"vorname": "Erika", "nachname": "Muster"})
    assert entries == {"vornamen": "Erika", "nachname": "Muster"}
    assert not any(key.startswith("vertretung-") for key in entries)
