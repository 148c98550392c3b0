"""Accept or correct a suggestion on the intake page, with one POST each: the Dokument moves
into the chosen Akte, the decision is kept (and feeds the next training); only for those who
may change the Eingang (another unit, another Mandant: 404); an Akte the clerk may not change is
neither shown nor filed into."""

from __future__ import annotations

import pytest
from django.test import Client

from amtsfluss.akte.models import Akte, Dokument, Vertraulichkeit
from amtsfluss.core.models import AuditEvent
from amtsfluss.posteingang.klassifikation import korpus
from amtsfluss.posteingang.models import Eingang, Vorschlag, VorschlagStatus
from amtsfluss.suche.models import Indexauftrag
from tests.conftest import client_for
from tests.posteingang.conftest import Post
from tests.posteingang.klassifikation_helpers import akte, aktenplan, receive_letter
from tests.posteingang.web import A_HOST, B_HOST, INBOX_URL, german

pytestmark = pytest.mark.django_db

FILED = {"liste": "abgelegt"}


def _accept(client: Client, eingang: Eingang) -> object:
    return client.post(f"/intern/posteingang/eingaenge/{eingang.pk}/vorschlag/annehmen/")


def _correct(client: Client, eingang: Eingang, aktenzeichen: str, typ: str = "antrag") -> object:
    return client.post(
        f"/intern/posteingang/eingaenge/{eingang.pk}/vorschlag/korrigieren/",
        {"aktenzeichen": aktenzeichen, "dokumenttyp": typ},
    )


def _akte_of(eingang: Eingang) -> int:
    dokument = Dokument.objects.select_related("vorgang").get(pk=eingang.dokument_id or 0)
    return dokument.vorgang.akte_id


def test_accept_files_the_dokument_where_the_suggestion_says(post: Post) -> None:
    plan = aktenplan(post)
    w = post.w
    target = akte(w.clerk, plan.positions["32.1"], "Gaststätte Zum Anker")
    eingang = receive_letter(post, f"Betreff: Sperrzeit\nIhr Zeichen: {target.aktenzeichen}")
    assert _akte_of(eingang) != target.pk  # filed into the Posteingang Akte first
    clerk = client_for(w.clerk, A_HOST)
    page = clerk.get(INBOX_URL, FILED).content.decode()
    assert target.aktenzeichen in page and german("Accept") in page
    response = _accept(clerk, eingang)
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert _akte_of(eingang) == target.pk
    vorschlag = Vorschlag.objects.get(eingang=eingang)
    assert vorschlag.status == VorschlagStatus.ANGENOMMEN and vorschlag.entschieden_von == w.clerk
    assert vorschlag.entschieden_akte == target
    assert AuditEvent.objects.filter(
        action="posteingang.vorschlag_angenommen", object_id=str(eingang.pk)
    ).exists()
    # decided once: the page offers nothing more, a second POST changes nothing
    assert german("Accept") not in clerk.get(INBOX_URL, FILED).content.decode()
    again = clerk.get(_accept(clerk, eingang)["Location"]).content.decode()  # type: ignore[index]
    assert german("Where this file belongs was decided already.") in again
    # the decision is an example of the next training, labelled with the Akte
    [example] = korpus.filed_examples(mandant=w.a)
    assert example.akte == str(target.pk) and example.position == str(target.position_id)


def test_correct_names_another_akte_and_dokumenttyp(post: Post) -> None:
    plan = aktenplan(post)
    w = post.w
    suggested = akte(w.clerk, plan.positions["32.1"], "Gaststätte")
    chosen = akte(w.clerk, plan.positions["32.2"], "Markt")
    eingang = receive_letter(post, f"Az. {suggested.aktenzeichen} Antrag Marktstand")
    clerk = client_for(w.clerk, A_HOST)
    unknown = clerk.get(_correct(clerk, eingang, "gibt-es-nicht")["Location"])  # type: ignore[index]
    assert german("There is no open Akte with this Aktenzeichen that you may work on.") in (
        unknown.content.decode()
    )
    _correct(clerk, eingang, f"  {chosen.aktenzeichen} ", "antrag")
    assert _akte_of(eingang) == chosen.pk
    assert Dokument.objects.get(pk=eingang.dokument_id or 0).dokumenttyp == "antrag"
    vorschlag = Vorschlag.objects.get(eingang=eingang)
    assert vorschlag.status == VorschlagStatus.KORRIGIERT
    assert (vorschlag.akte, vorschlag.entschieden_akte) == (suggested, chosen)
    assert vorschlag.entschieden_dokumenttyp == "antrag"


def test_the_second_attachment_decided_elsewhere_leaves_the_first_where_it_was_put(
    post: Post,
) -> None:
    plan = aktenplan(post)
    w = post.w
    anker = akte(w.clerk, plan.positions["32.1"], "Gaststätte Zum Anker")
    markt = akte(w.clerk, plan.positions["32.2"], "Wochenmarkt")
    sendung = post.receive(
        ("antrag.txt", b"Antrag auf Verlaengerung der Sperrzeit"),
        ("anlage.txt", b"Lageplan des Marktstands"),
        ("nachweis.txt", b"Nachweis der Haftpflichtversicherung"),
    )
    first, second, third = post.process(sendung)
    clerk = client_for(w.clerk, A_HOST)
    _correct(clerk, first, anker.aktenzeichen)  # the mail's Vorgang moves along, all three
    assert _akte_of(first) == _akte_of(second) == _akte_of(third) == anker.pk
    _correct(clerk, second, markt.aktenzeichen)  # this one alone, into a Vorgang of its own
    assert (_akte_of(first), _akte_of(second), _akte_of(third)) == (anker.pk, markt.pk, anker.pk)
    v_first, v_second, v_third = (
        Dokument.objects.get(pk=e.dokument_id or 0).vorgang_id for e in (first, second, third)
    )
    assert v_first == v_third != v_second
    assert Vorschlag.objects.get(eingang=first).entschieden_akte == anker  # and it lies there


def test_a_corrected_dokumenttyp_alone_reaches_the_search_index(post: Post) -> None:
    aktenplan(post)
    eingang = receive_letter(post, "Betreff: Rechnung für den Marktstand")
    where = Akte.objects.get(pk=_akte_of(eingang))
    dokument = Dokument.objects.get(pk=eingang.dokument_id or 0)
    typ = "nachweis" if dokument.dokumenttyp != "nachweis" else "vermerk"
    Indexauftrag.objects.all().delete()  # what filing journaled is indexed
    _correct(client_for(post.w.clerk, A_HOST), eingang, where.aktenzeichen, typ)
    assert _akte_of(eingang) == where.pk  # the Dokument stays where it is …
    assert Dokument.objects.get(pk=dokument.pk).dokumenttyp == typ
    # … and its entry is rebuilt on commit, so the Dokumenttyp filter and facet follow
    assert Indexauftrag.objects.filter(dokument_id=dokument.pk, akte_id=where.pk).exists()


def test_other_units_and_mandanten_get_404_and_nothing_moves(post: Post) -> None:
    plan = aktenplan(post)
    w = post.w
    target = akte(w.clerk, plan.positions["32.1"], "Gaststätte")
    eingang = receive_letter(post, f"Ihr Zeichen: {target.aktenzeichen}")
    before = _akte_of(eingang)
    other = client_for(w.other_clerk, A_HOST)
    foreign = client_for(w.b_clerk, B_HOST)
    for client in (other, foreign):
        assert _accept(client, eingang).status_code == 404  # type: ignore[attr-defined]
        response = _correct(client, eingang, target.aktenzeichen)
        assert response.status_code == 404  # type: ignore[attr-defined]
        assert target.aktenzeichen not in client.get(INBOX_URL, FILED).content.decode()
    assert _akte_of(eingang) == before
    assert Vorschlag.objects.get(eingang=eingang).status == VorschlagStatus.OFFEN


def test_an_akte_the_clerk_may_not_change_is_neither_shown_nor_filed_into(post: Post) -> None:
    plan = aktenplan(post)
    w = post.w
    # a confidential Akte of the unit, formed by the head: the clerk has no share in it
    secret = akte(
        w.head,
        plan.positions["32.3"],
        "Vertrauliche Angelegenheit",
        federfuehrende_oe=post.unit,
        vertraulichkeit=Vertraulichkeit.VERTRAULICH,
    )
    eingang = receive_letter(post, f"Ihr Zeichen: {secret.aktenzeichen}")
    assert Vorschlag.objects.get(eingang=eingang).akte == secret  # the rule found it
    clerk = client_for(w.clerk, A_HOST)
    page = clerk.get(INBOX_URL, FILED).content.decode()
    assert secret.aktenzeichen not in page and "Vertrauliche Angelegenheit" not in page
    assert f"/eingaenge/{eingang.pk}/vorschlag/annehmen/" not in page
    assert german("File elsewhere") in page  # correcting stays possible
    refused = clerk.get(_accept(clerk, eingang)["Location"]).content.decode()  # type: ignore[index]
    assert german("You may not file into the suggested Akte; please name another one.") in refused
    _correct(clerk, eingang, secret.aktenzeichen)
    assert _akte_of(eingang) != secret.pk
    assert Vorschlag.objects.get(eingang=eingang).status == VorschlagStatus.OFFEN
