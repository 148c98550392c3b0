"""Staff Postfach pages (in German): the Vorgang's Postfach with the Rückfrage form, unread
answers highlighted once, the list of unread answers; other units and Mandanten get 404.
The applicant's partial is rendered with ``postfach_context``."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from amtsfluss.postfach.models import Art, Nachricht
from amtsfluss.postfach.services import antwort_empfangen, nachricht_zustellen
from amtsfluss.postfach.views.buerger import postfach_context
from tests.akte.conftest import as_
from tests.conftest import client_for
from tests.postfach.conftest import APPLICANT, SECRET, Box, make_dokument

A_HOST = "a.test"


def page_url(box: Box) -> str:
    return f"/intern/postfach/vorgaenge/{box.vorgang.pk}/"


def rueckfrage_data(**overrides: str) -> dict[str, str]:
    return {
        "rueckfrage-betreff": "Meisterbrief fehlt",
        "rueckfrage-text": SECRET,
        "rueckfrage-frist": (timezone.localdate() + timedelta(days=10)).isoformat(),
        "rueckfrage-empfaenger_email": APPLICANT,
        **overrides,
    }


def test_clerk_asks_and_sees_the_answer_highlighted_once(box: Box) -> None:
    client = client_for(box.akten.w.clerk, A_HOST)
    page = client.get(page_url(box)).content.decode()
    assert "Rückfrage senden" in page
    assert "Mit der antragstellenden Person wurden noch keine Nachrichten" in page

    response = client.post(f"{page_url(box)}rueckfrage/", rueckfrage_data())
    assert response.status_code == 302
    assert Nachricht.objects.get().art == Art.RUECKFRAGE

    antwort_empfangen(vorgang=box.vorgang, text="Kommt morgen", dateien=[])
    liste = client.get("/intern/postfach/").content.decode()
    assert page_url(box) in liste
    first = client.get(page_url(box)).content.decode()
    assert "kern-badge--warning" in first and "Kommt morgen" in first
    again = client.get(page_url(box)).content.decode()
    assert "kern-badge--warning" not in again and "Kommt morgen" in again
    assert page_url(box) not in client.get("/intern/postfach/").content.decode()


def test_bad_rueckfrage_is_shown_with_its_message(box: Box) -> None:
    client = client_for(box.akten.w.clerk, A_HOST)
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(
        f"{page_url(box)}rueckfrage/", rueckfrage_data(**{"rueckfrage-frist": past})
    )
    assert response.status_code == 400
    assert "Die Frist liegt in der Vergangenheit." in response.content.decode()
    assert not Nachricht.objects.exists()


def test_other_units_and_mandanten_get_404(box: Box) -> None:
    antwort_empfangen(vorgang=box.vorgang, text="Geheimnis", dateien=[])
    w = box.akten.w
    for user, host in ((w.other_clerk, A_HOST), (w.dsb, A_HOST), (w.b_clerk, "b.test")):
        client = client_for(user, host)
        assert client.get(page_url(box)).status_code == 404
        assert client.post(f"{page_url(box)}rueckfrage/", rueckfrage_data()).status_code == 404
        assert "Geheimnis" not in client.get("/intern/postfach/").content.decode()
    assert not Nachricht.objects.filter(art=Art.RUECKFRAGE).exists()
    assert Nachricht.objects.get().gelesen_am is None  # nobody without access marked it read
    head = client_for(w.head, A_HOST)  # Amtsleitung over 32.1
    assert head.get(page_url(box)).status_code == 200


def test_applicant_partial_shows_messages_downloads_and_the_form(box: Box) -> None:
    intern = make_dokument(box.akten.w.clerk, box.vorgang, "Vermerk intern")
    nachricht_zustellen(
        principal=as_(box.akten.w.clerk), vorgang=box.vorgang, art=Art.BESCHEID,
        betreff="Ihr Bescheid", text="Anbei Ihr Bescheid.", dokumente=[box.bescheid],
        empfaenger_email=APPLICANT,
    )  # fmt: skip
    request = RequestFactory().get("/", HTTP_HOST=A_HOST)
    request.mandant = box.akten.w.a  # type: ignore[attr-defined]
    token = "t" * 43
    with translation.override("de"):
        html = render_to_string(
            "postfach/_buerger.html",
            postfach_context(request, vorgang=box.vorgang, token=token),
            request=request,
        )
    assert "Ihr Bescheid" in html and "Anbei Ihr Bescheid." in html
    assert f"/postfach/{token}/dokumente/{box.bescheid.pk}/" in html
    assert f"/dokumente/{intern.pk}/" not in html
    assert f'action="/postfach/{token}/antwort/"' in html
    assert 'enctype="multipart/form-data"' in html
    assert Nachricht.objects.get().gelesen_am is not None  # the applicant has seen it


def test_link_to_the_postfach_counts_unread_answers(box: Box) -> None:
    ask_url = f"{page_url(box)}rueckfrage/"
    client = client_for(box.akten.w.clerk, A_HOST)
    assert client.post(ask_url, rueckfrage_data()).status_code == 302
    antwort_empfangen(vorgang=box.vorgang, text="Kommt", dateien=[])
    template = "{% load postfach_link %}{% postfach_link vorgang %}"
    with translation.override("de"):
        html = Template(template).render(Context({"vorgang": box.vorgang}))
    assert f'href="{page_url(box)}"' in html
    assert "2 Nachrichten" in html and "1 ungelesene Antwort" in html


def test_pages_cost_a_constant_number_of_queries(box: Box) -> None:
    client = client_for(box.akten.w.clerk, A_HOST)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    clerk = as_(box.akten.w.clerk)
    nachricht_zustellen(
        principal=clerk, vorgang=box.vorgang, art=Art.NACHRICHT, betreff="Eins", text="",
        dokumente=[box.bescheid], empfaenger_email=APPLICANT,
    )  # fmt: skip
    antwort_empfangen(vorgang=box.vorgang, text="Antwort eins", dateien=[])
    few = (queries("/intern/postfach/"), queries(page_url(box)))  # list first: still unread
    for number in range(4):
        nachricht_zustellen(
            principal=clerk, vorgang=box.vorgang, art=Art.NACHRICHT, betreff=f"N{number}",
            text="", dokumente=[make_dokument(box.akten.w.clerk, box.vorgang, f"D{number}")],
            empfaenger_email=APPLICANT,
        )  # fmt: skip
        antwort_empfangen(vorgang=box.vorgang, text=f"Antwort {number}", dateien=[])
    antwort_empfangen(vorgang=box.other, text="Andere", dateien=[])
    assert (queries("/intern/postfach/"), queries(page_url(box))) == few
