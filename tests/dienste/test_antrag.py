"""Filling in an application without an account: draft link, steps, groups, conditions,
summary with fee, versions, and hostile input on every step."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from amtsfluss.core.errors import ServiceError
from amtsfluss.dienste.models import Entwurf, Formularversion, Leistung
from amtsfluss.dienste.services.entwurf import entwuerfe_purge_expired, token_hash
from amtsfluss.dienste.services.formular import (
    formular_publish_definition,
    formularversion_update,
)
from tests.dienste.conftest import GEWERBE, URKUNDE, demo_document

pytestmark = pytest.mark.django_db
A, B = "a.test", "b.test"


def start(client: Client, leika: str = URKUNDE) -> str:
    before = Entwurf.objects.count()
    assert client.get(f"/dienste/{leika}/antrag/").status_code == 200
    assert Entwurf.objects.count() == before  # a GET makes no draft
    response = client.post(f"/dienste/{leika}/antrag/")
    assert response.status_code == 302
    match = re.fullmatch(r"/dienste/entwurf/([A-Za-z0-9_-]{43})/1/", response["Location"])
    assert match
    return match.group(1)


URKUNDE_SCHRITT_1 = {
    "urkunden-0-art": "geburt",
    "urkunden-0-anzahl": "2",
    "urkunden-0-personen": "Erika Mustermann",
    "urkunden-0-datum": "12.08.1964",
}
URKUNDE_SCHRITT_2 = {
    "vorname": "Erika",
    "nachname": "Mustermann",
    "geburtsdatum": "12.08.1964",
    "anschrift-strasse": "Heidestraße 17",
    "anschrift-plz": "51147",
    "anschrift-ort": "Köln",
    "email": "erika@example.org",
    "berechtigung": "selbst",
}


def test_whole_application_to_the_summary(demo: dict[str, Leistung]) -> None:
    client = Client(HTTP_HOST=A)
    token = start(client)
    base = f"/dienste/entwurf/{token}"
    page = client.get(f"{base}/1/").content.decode()
    assert 'name="urkunden-0-art"' in page and "Schritt 1 von 3" in page
    added = client.post(f"{base}/1/", {**URKUNDE_SCHRITT_1, "aktion": "add:urkunden"})
    assert added.status_code == 302
    page = client.get(f"{base}/1/").content.decode()
    assert 'name="urkunden-1-art"' in page and 'value="Erika Mustermann"' in page
    both = {
        **URKUNDE_SCHRITT_1,
        "urkunden-1-art": "ehe",
        "urkunden-1-anzahl": "1",
        "urkunden-1-personen": "Erika und Hans Mustermann",
        "urkunden-1-datum": "01.06.1990",
    }
    assert client.post(f"{base}/1/", both)["Location"] == f"{base}/2/"
    wrong = client.post(f"{base}/2/", {**URKUNDE_SCHRITT_2, "berechtigung": "interesse"})
    assert wrong.status_code == 200
    text = wrong.content.decode()
    assert 'href="#f-begruendung"' in text and 'aria-invalid="true"' in text
    assert 'aria-describedby="f-begruendung-hint f-begruendung-error"' in text
    assert client.post(f"{base}/2/", URKUNDE_SCHRITT_2)["Location"] == f"{base}/3/"
    done = client.post(f"{base}/3/", {"versand": "abholung"})
    assert done["Location"] == f"{base}/zusammenfassung/"
    summary = client.get(done["Location"]).content.decode()
    assert "36,00 €" in summary  # 3 copies at 12 €
    assert "Erika und Hans Mustermann" in summary and "Heidestraße 17, 51147 Köln" in summary
    assert f'action="/dienste/entwurf/{token}/einreichen/"' in summary
    assert "Antrag absenden" in summary  # the pages are in German


def test_draft_link_resumes_and_guesses_are_404(demo: dict[str, Leistung]) -> None:
    token = start(Client(HTTP_HOST=A))
    Client(HTTP_HOST=A).post(
        f"/dienste/entwurf/{token}/1/", {**URKUNDE_SCHRITT_1, "aktion": "speichern"}
    )
    elsewhere = Client(HTTP_HOST=A)  # another browser: the link alone is enough
    assert (
        'value="Erika Mustermann"' in elsewhere.get(f"/dienste/entwurf/{token}/1/").content.decode()
    )
    entwurf = Entwurf.objects.get()
    assert entwurf.token_hash == token_hash(token) and token not in str(entwurf.__dict__)
    for guess in (
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        "x" * 43,
        "../../etc",
        token_hash(token),
    ):
        assert elsewhere.get(f"/dienste/entwurf/{guess}/1/").status_code == 404
    assert Client(HTTP_HOST=B).get(f"/dienste/entwurf/{token}/1/").status_code == 404
    assert elsewhere.get(f"/dienste/entwurf/{token}/9/").status_code == 404


def test_expired_drafts_are_gone(demo: dict[str, Leistung]) -> None:
    token = start(Client(HTTP_HOST=A))
    Entwurf.objects.update(gueltig_bis=timezone.now() - timedelta(seconds=1))
    assert Client(HTTP_HOST=A).get(f"/dienste/entwurf/{token}/1/").status_code == 404
    assert entwuerfe_purge_expired() == 1 and Entwurf.objects.count() == 0


def test_draft_stays_on_its_version(demo: dict[str, Leistung]) -> None:
    client = Client(HTTP_HOST=A)
    token = start(client)
    first = Formularversion.objects.get(formular__leistung__leika_schluessel=URKUNDE)
    with translation.override("en"), pytest.raises(ServiceError, match="is published and cannot"):
        formularversion_update(version=first, definition=first.definition, by=None)
    changed = demo_document()["leistungen"][0]["formular"]
    changed["steps"][0]["title"] = "Neue Fassung"
    second = formular_publish_definition(leistung=demo[URKUNDE], definition=changed, by=None)
    assert second.nummer == 2
    assert "Neue Fassung" not in client.get(f"/dienste/entwurf/{token}/1/").content.decode()
    new_token = start_again(client)
    assert "Neue Fassung" in client.get(f"/dienste/entwurf/{new_token}/1/").content.decode()
    assert Entwurf.objects.get(token_hash=token_hash(token)).formularversion == first


def start_again(client: Client) -> str:
    response = client.post(f"/dienste/{URKUNDE}/antrag/")
    return response["Location"].split("/")[3]


def test_repeat_limits(demo: dict[str, Leistung]) -> None:
    client = Client(HTTP_HOST=A)
    base = f"/dienste/entwurf/{start(client)}"
    for _ in range(6):
        client.post(f"{base}/1/", {"aktion": "add:urkunden"})
    assert Entwurf.objects.get().wiederholungen == {"urkunden": 5}
    page = client.get(f"{base}/1/").content.decode()
    assert "Höchstens 5" in page
    assert 'value="add:urkunden"' not in page
    assert client.post(f"{base}/1/", {"aktion": "remove:urkunden:99"}).status_code == 302
    assert client.post(f"{base}/1/", {"aktion": "remove:urkunden:0"}).status_code == 302
    assert Entwurf.objects.get().wiederholungen == {"urkunden": 4}
    assert client.post(f"{base}/1/", {"aktion": "add:nichtda"}).status_code == 404
    assert client.post(f"{base}/1/", {"aktion": "remove:urkunden:-1"}).status_code == 404


def test_hostile_input_on_a_step(demo: dict[str, Leistung]) -> None:
    client = Client(HTTP_HOST=A)
    base = f"/dienste/entwurf/{start(client, GEWERBE)}"
    response = client.post(
        f"{base}/1/",
        {
            "rechtsform": "gmbh",
            "firmenname": "x" * 100_000,
            "registergericht": "Köln\x00",
            "registernummer": "HRB 1" + "1" * 50,
            "evil": "1",
            "vornamen": "injected",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "höchstens 200 Zeichen" in page and "nicht erlaubt" in page
    daten = Entwurf.objects.get().daten
    assert "evil" not in daten and "vornamen" not in daten
    assert len(daten["firmenname"]) == 201 and len(daten["registernummer"]) == 31
    assert client.post(f"{base}/1/", {"rechtsform": "einzelunternehmen"}).status_code == 302
    assert Entwurf.objects.get().fertige_schritte == ["betrieb_inhaber"]
