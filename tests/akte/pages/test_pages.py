"""Each page renders for those who work on the Akte, with what they need and nothing more."""

from __future__ import annotations

from django.test import Client

from amtsfluss.akte.models import Aktenplanposition
from amtsfluss.core.models import AuditEvent
from tests.akte.conftest import AkteWorld
from tests.akte.pages.conftest import A_HOST, Case
from tests.conftest import client_for


def html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    assert response["Content-Type"] == "text/html; charset=utf-8"
    return response.content.decode()


def test_posteingang_lists_open_vorgaenge_and_due_wiedervorlagen(case: Case, clerk: Client) -> None:
    page = html(clerk, "/intern/posteingang/")
    assert '<html lang="de">' in page
    assert f'href="/intern/vorgaenge/{case.vorgang.pk}/"' in page
    assert case.vorgang.betreff in page and case.akte.aktenzeichen in page
    assert case.wiedervorlage.notiz in page
    assert f'action="/intern/wiedervorlagen/{case.wiedervorlage.pk}/erledigt/"' in page
    assert "kern-badge--warning" in page  # the deadline is today
    assert 'aria-current="page"' in page
    # the tabs: assigned to the clerk, so in "mine" and not in "unit"
    link = f'href="/intern/vorgaenge/{case.vorgang.pk}/">{case.vorgang.betreff}</a></td>'
    row = f'<a class="kern-link" {link}'
    assert row in page
    assert row in html(clerk, "/intern/posteingang/?liste=mine")
    assert row not in html(clerk, "/intern/posteingang/?liste=unit")
    assert row in html(clerk, "/intern/posteingang/?liste=quatsch&seite=x")


def test_aktenplan_tree_offers_new_akten_at_leaves_only(akten: AkteWorld, clerk: Client) -> None:
    page = html(clerk, "/intern/aktenplan/")
    for kennzeichen, position in akten.positions.items():
        assert position.titel in page
        link = f'href="/intern/aktenplan/{position.pk}/neue-akte/"'
        assert (link in page) == (kennzeichen in ("10.38.50", "10.38.60")), kennzeichen
    assert '<details class="kern-accordion"' in page


def test_akte_page_shows_the_file_cover(case: Case, clerk: Client) -> None:
    page = html(clerk, f"/intern/akten/{case.akte.pk}/")
    assert f'<h1 class="kern-heading-large">{case.akte.aktenzeichen}</h1>' in page
    assert f'href="/intern/vorgaenge/{case.vorgang.pk}/"' in page
    assert "Erika Mustermann" in page and "Antragstellerin" in page
    assert "10.38.50 Gewerbeanzeigen" in page
    assert case.wiedervorlage.notiz in page
    assert "head" in page  # the Beteiligung
    for form, action in (
        ("vorgang_form", "vorgaenge/neu/"),
        ("wiedervorlage_form", "wiedervorlagen/neu/"),
        ("refile_form", "umprotokollieren/"),
        ("beteiligung_form", "beteiligungen/neu/"),
    ):
        # each action form is offered closed, and built when asked for (htmx or the link)
        assert f'hx-get="?formular={form}"' in page and f'href="?formular={form}#' in page
        assert f'action="/intern/akten/{case.akte.pk}/{action}#' not in page
        with_form = html(clerk, f"/intern/akten/{case.akte.pk}/?formular={form}")
        assert f'action="/intern/akten/{case.akte.pk}/{action}#' in with_form, action
    assert (
        f'action="/intern/akten/{case.akte.pk}/beteiligungen/{case.beteiligung.pk}/entziehen/"'
        in page
    )
    assert f'action="/intern/akten/{case.akte.pk}/zda/"' not in page  # a Vorgang is open
    assert 'id="zda-hint"' in page


def test_akte_page_without_actions_for_those_who_may_only_read(
    akten: AkteWorld, case: Case
) -> None:
    from amtsfluss.akte.services.akte import beteiligung_grant
    from tests.akte.conftest import as_

    beteiligung_grant(principal=as_(akten.w.clerk), akte=case.akte, unit=akten.w.units["32.2"])
    reader = client_for(akten.w.other_clerk, A_HOST)
    page = html(reader, f"/intern/akten/{case.akte.pk}/")
    assert case.vorgang.betreff in page
    assert "vorgang_form" not in page and "refile_form" not in page
    assert "beteiligung_form" not in page
    assert "entziehen/" not in page and "/erledigt/" not in page
    assert "?formular=wiedervorlage_form" in page  # a reminder for oneself needs only sight
    assert "wiedervorlagen/neu/" in html(
        reader, f"/intern/akten/{case.akte.pk}/?formular=wiedervorlage_form"
    )
    for refused in ("vorgang_form", "refile_form", "beteiligung_form", "nonsense"):
        asked = html(reader, f"/intern/akten/{case.akte.pk}/?formular={refused}")
        assert "vorgaenge/neu/" not in asked and "umprotokollieren/" not in asked
        assert "beteiligungen/neu/" not in asked


def test_vorgang_page_shows_dokumente_versions_and_the_pdf_view(case: Case, clerk: Client) -> None:
    page = html(clerk, f"/intern/vorgaenge/{case.vorgang.pk}/")
    assert f'<iframe class="af-pdf" src="/intern/dokumentversionen/{case.pdf.pk}/ansicht"' in page
    assert f'href="/intern/dokumentversionen/{case.pdf.pk}/download"' in page
    assert f'href="/intern/dokumentversionen/{case.text.pk}/download"' in page
    assert f"/intern/dokumentversionen/{case.text.pk}/ansicht" not in page
    assert f"?ansicht={case.text.pk}" not in page
    assert 'enctype="multipart/form-data"' in page
    assert f'action="/intern/dokumente/{case.pdf_dokument.pk}/versionen/neu/#' in page
    assert f"/intern/dokumente/{case.pdf_dokument.pk}/verschieben/" not in page  # no other Vorgang
    assert f'action="/intern/vorgaenge/{case.vorgang.pk}/verschieben/#' in page
    assert case.text_dokument.titel in page and "vermerk.txt" in page


def test_akten_list_and_search(akten: AkteWorld, case: Case, clerk: Client) -> None:
    page = html(clerk, "/intern/akten/")
    for akte in (akten.offen_32_1, akten.vertr_32_1, akten.streng_32_1):
        assert akte.aktenzeichen in page
    assert akten.offen_32_2.aktenzeichen not in page  # another unit's
    found = html(clerk, "/intern/akten/?q=streng")
    assert akten.streng_32_1.aktenzeichen in found
    assert akten.offen_32_1.aktenzeichen not in found


def test_new_akte_form_preselects_the_unit(akten: AkteWorld, clerk: Client) -> None:
    leaf = akten.positions["10.38.50"]
    leaf.federfuehrende_oe = akten.w.units["32.1"]
    leaf.save()
    page = html(clerk, f"/intern/aktenplan/{leaf.pk}/neue-akte/")
    unit = akten.w.units["32.1"]
    assert f'<option value="{unit.pk}" selected>32.1 Einheit 32.1</option>' in page
    assert "32.2 Einheit 32.2" not in page  # only units the clerk works in


def test_confidential_akte_page_read_is_audited(akten: AkteWorld, clerk: Client) -> None:
    akte = akten.vertr_32_1
    before = AuditEvent.objects.filter(action="akte.akte.read_confidential").count()
    html(clerk, f"/intern/akten/{akte.pk}/")
    events = AuditEvent.objects.filter(action="akte.akte.read_confidential")
    assert events.count() == before + 1
    event = events.latest("seq")
    assert (event.object_id, event.actor_id) == (str(akte.pk), akten.w.clerk.pk)
    assert Aktenplanposition.objects.exists()
