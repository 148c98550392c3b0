"""The Bescheid's staff pages through real logins: the clerk drafts, previews and asks; the
Amtsleitung finds it in the list, signs and downloads the sealed PDF; every endpoint answers
404 to another unit and another Mandant; the clerk gets no sign button and cannot sign."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory

from amtsfluss.bescheid.models import Bescheid, BescheidStatus
from amtsfluss.core.models import User
from amtsfluss.siegel.services import validate_seal
from tests.bescheid.conftest import BescheidWorld
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
A, B = "a.test", "b.test"


def _content(response: object) -> bytes:
    streamed = getattr(response, "streaming_content", None)
    return b"".join(streamed) if streamed is not None else response.content  # type: ignore[attr-defined]


def _draft_and_request(bw: BescheidWorld, clerk: Client) -> Bescheid:
    base = f"/intern/bescheide/vorgang/{bw.vorgang.pk}/"
    page = clerk.get(base).content.decode()
    assert "Bescheid entwerfen" in page and f'value="{bw.gewerbe.pk}" selected' in page
    created = clerk.post(base, {"leistung": bw.gewerbe.pk})
    assert created.status_code == 302
    bescheid = Bescheid.objects.get(vorgang=bw.vorgang)
    url = f"/intern/bescheide/{bescheid.pk}/"
    assert created["Location"] == url
    saved = clerk.post(
        f"{url}bearbeiten/",
        {"titel": "Empfangsbescheinigung", "tenor_zusatz": "", "begruendung": "Vollständig."},
    )
    assert saved.status_code == 302
    preview = clerk.get(f"{url}vorschau.pdf")
    assert preview.status_code == 200 and preview["Content-Type"] == "application/pdf"
    assert preview["Content-Disposition"].startswith("attachment;")
    assert preview.content.startswith(b"%PDF-")
    page = clerk.get(url).content.decode()
    assert "Schlusszeichnung anfordern" in page and "Bescheid zeichnen" not in page
    asked = clerk.post(f"{url}schlusszeichnung-anfordern/", {"signer": bw.w.head.pk})
    assert asked.status_code == 302
    return Bescheid.objects.get(pk=bescheid.pk)


def test_clerk_drafts_amtsleitung_signs_and_downloads(bw: BescheidWorld) -> None:
    clerk = client_for(bw.w.clerk, A)
    bescheid = _draft_and_request(bw, clerk)
    assert bescheid.status == BescheidStatus.ZUR_SCHLUSSZEICHNUNG
    url = f"/intern/bescheide/{bescheid.pk}/"
    assert clerk.post(f"{url}zeichnen/").status_code == 404  # a Sachbearbeitung cannot sign

    head = client_for(bw.w.head, A)
    liste = head.get("/intern/bescheide/zur-schlusszeichnung/").content.decode()
    assert "Empfangsbescheinigung" in liste and f'href="{url}"' in liste
    page = head.get(url).content.decode()
    assert "Bescheid zeichnen" in page
    signed = head.post(f"{url}zeichnen/")
    assert signed.status_code == 302
    bescheid.refresh_from_db()
    assert bescheid.status == BescheidStatus.ZUGESTELLT and bescheid.signed_by == bw.w.head
    assert head.post(f"{url}zeichnen/").status_code == 400  # the second click finds it signed

    download = head.get(f"{url}download")
    assert download.status_code == 302
    pdf = head.get(download["Location"])
    assert pdf.status_code == 200
    assert validate_seal(mandant=bw.w.a, pdf=_content(pdf)).ok
    assert clerk.get(download["Location"]).status_code == 200  # the unit reads its Vorgang


def test_the_drafter_gets_no_sign_button_and_cannot_ask_themselves(bw: BescheidWorld) -> None:
    head = client_for(bw.w.head, A)
    base = f"/intern/bescheide/vorgang/{bw.vorgang.pk}/"
    head.post(base, {"leistung": bw.gewerbe.pk})
    bescheid = Bescheid.objects.get(vorgang=bw.vorgang)
    url = f"/intern/bescheide/{bescheid.pk}/"
    refused = head.post(f"{url}schlusszeichnung-anfordern/", {"signer": bw.w.head.pk})
    assert refused.status_code == 400
    head.post(f"{url}schlusszeichnung-anfordern/", {"signer": bw.head2.pk})
    assert "Bescheid zeichnen" not in head.get(url).content.decode()
    assert head.post(f"{url}zeichnen/").status_code == 400
    assert Bescheid.objects.get(pk=bescheid.pk).status == BescheidStatus.ZUR_SCHLUSSZEICHNUNG


@pytest.mark.parametrize("who", ["other_clerk", "b_clerk", "dsb", "admin"])
def test_other_unit_and_mandant_get_404_everywhere(bw: BescheidWorld, who: str) -> None:
    clerk = client_for(bw.w.clerk, A)
    bescheid = _draft_and_request(bw, clerk)
    user = getattr(bw.w, who)
    client = client_for(user, B if user.mandant_id == bw.w.b.pk else A)
    url = f"/intern/bescheide/{bescheid.pk}/"
    for path in ("", "vorschau.pdf", "download"):
        assert client.get(f"{url}{path}").status_code == 404, path
    for path in ("bearbeiten/", "schlusszeichnung-anfordern/", "zeichnen/", "zurueckgeben/"):
        assert (
            client.post(f"{url}{path}", {"titel": "x", "signer": bw.w.head.pk}).status_code == 404
        )
    vorgang = f"/intern/bescheide/vorgang/{bw.vorgang.pk}/"
    assert client.get(vorgang).status_code == 404
    assert client.post(vorgang, {"leistung": bw.gewerbe.pk}).status_code == 404
    assert (
        "Empfangsbescheinigung"
        not in client.get("/intern/bescheide/zur-schlusszeichnung/").content.decode()
    )
    assert Bescheid.objects.get(pk=bescheid.pk).status == BescheidStatus.ZUR_SCHLUSSZEICHNUNG


def test_hostile_form_input_is_refused_and_changes_nothing(bw: BescheidWorld) -> None:
    clerk = client_for(bw.w.clerk, A)
    base = f"/intern/bescheide/vorgang/{bw.vorgang.pk}/"
    assert clerk.post(base, {"leistung": "1 OR 1=1"}).status_code == 400
    assert clerk.post(base, {"leistung": bw.w.b.pk + 10_000}).status_code == 400
    clerk.post(base, {"leistung": bw.gewerbe.pk})
    bescheid = Bescheid.objects.get(vorgang=bw.vorgang)
    url = f"/intern/bescheide/{bescheid.pk}/"
    for data in (
        {"titel": "", "begruendung": "x"},
        {"titel": "x" * 201},
        {"titel": "ok", "begruendung": "a\x00b"},
    ):
        assert clerk.post(f"{url}bearbeiten/", data).status_code == 400
    assert (
        clerk.post(f"{url}schlusszeichnung-anfordern/", {"signer": bw.w.other_clerk.pk}).status_code
        == 400
    )
    assert (
        clerk.post(f"{url}schlusszeichnung-anfordern/", {"signer": bw.w.b_clerk.pk}).status_code
        == 400
    )
    bescheid.refresh_from_db()
    assert bescheid.status == BescheidStatus.ENTWURF and bescheid.begruendung == ""


def test_links_for_the_vorgang_page_and_the_start_page(bw: BescheidWorld) -> None:
    clerk = client_for(bw.w.clerk, A)
    bescheid = _draft_and_request(bw, clerk)
    link = Template("{% load bescheid_link %}{% bescheid_link vorgang %}")
    html = link.render(Context({"vorgang": bw.vorgang}))
    assert f'href="/intern/bescheide/vorgang/{bw.vorgang.pk}/"' in html
    assert bescheid.titel in html
    waiting = Template("{% load bescheid_link %}{% schlusszeichnung_link %}")

    def rendered_for(user: User) -> str:
        request = RequestFactory().get("/", HTTP_HOST=A)
        request.user = user
        request.mandant = bw.w.a  # type: ignore[attr-defined]
        return waiting.render(Context({"request": request})).strip()

    for_head = rendered_for(bw.w.head)
    assert (
        "1 Bescheid " in for_head and 'href="/intern/bescheide/zur-schlusszeichnung/"' in for_head
    )
    assert rendered_for(bw.w.clerk) == ""
