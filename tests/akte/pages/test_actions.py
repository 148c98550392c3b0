"""What one does on the pages reaches the services, and what they refuse is shown, in German."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation
from pytest_django import Settings

from amtsfluss.akte.models import (
    Akte,
    AktenStatus,
    Beteiligung,
    Dokument,
    Dokumentversion,
    FruehereAktenzeichen,
    Vorgang,
    VorgangStatus,
    Wiedervorlage,
)
from amtsfluss.akte.services.akte import akte_close, check_akte_create
from amtsfluss.akte.services.vorgang import vorgang_create
from amtsfluss.api.downloads import too_large_message
from amtsfluss.core.models import Blob
from tests.akte.conftest import AkteWorld, as_
from tests.akte.pages.conftest import A_HOST, PDF, Case, german
from tests.conftest import PASSWORD, client_for


def text_of(response: Any) -> str:
    return str(response.content.decode())


# --- Akten -------------------------------------------------------------------------------------


def test_new_akte_is_formed_at_a_leaf(akten: AkteWorld, clerk: Client) -> None:
    leaf = akten.positions["10.38.60"]
    response = clerk.post(
        f"/intern/aktenplan/{leaf.pk}/neue-akte/",
        {
            "titel": "Gaststätte Zum Anker",
            "federfuehrende_oe": akten.w.units["32.1"].pk,
            "vertraulichkeit": "offen",
        },
    )
    akte = Akte.objects.get(titel="Gaststätte Zum Anker")
    assert response.status_code == 302
    assert response["Location"] == f"/intern/akten/{akte.pk}/"
    assert akte.aktenzeichen.startswith("32.1-10.38.60/")
    assert (akte.position, akte.federfuehrende_oe) == (leaf, akten.w.units["32.1"])
    page = text_of(clerk.get(response["Location"]))
    assert german("The Akte %s has been formed.", akte.aktenzeichen) in page


def test_a_refusal_of_the_service_is_shown_in_the_form(akten: AkteWorld, clerk: Client) -> None:
    group = akten.positions["10.38"]
    before = Akte.objects.count()
    page = clerk.get(f"/intern/aktenplan/{group.pk}/neue-akte/")
    assert 'name="titel"' not in text_of(page)  # no Akten above the leaves: no form
    response = clerk.post(
        f"/intern/aktenplan/{group.pk}/neue-akte/",
        {
            "titel": "Falsch abgelegt",
            "federfuehrende_oe": akten.w.units["32.1"].pk,
            "vertraulichkeit": "offen",
        },
    )
    assert response.status_code == 400
    message = german(
        "Akten are formed only at the lowest level of the Aktenplan; %s has sub-positions.",
        "10.38",
    )
    assert message in text_of(response)
    assert Akte.objects.count() == before


def test_new_vorgang_and_wiedervorlage_from_the_akte_page(
    akten: AkteWorld, case: Case, clerk: Client
) -> None:
    url = f"/intern/akten/{case.akte.pk}/"
    response = clerk.post(
        f"{url}vorgaenge/neu/",
        {
            "vorgang-betreff": "Ummeldung",
            "vorgang-eingangsdatum": "2026-03-04",
            "vorgang-bearbeiter": akten.w.clerk.pk,
            "vorgang-frist": "",
        },
    )
    vorgang = Vorgang.objects.get(betreff="Ummeldung")
    assert response["Location"] == f"/intern/vorgaenge/{vorgang.pk}/#inhalt"
    assert (vorgang.akte, vorgang.bearbeiter) == (case.akte, akten.w.clerk)

    empty = clerk.post(f"{url}vorgaenge/neu/", {"vorgang-betreff": ""})
    assert empty.status_code == 400
    assert '<details class="kern-accordion" id="neuer-vorgang" open>' in text_of(empty)

    due = timezone.localdate() + timedelta(days=3)
    response = clerk.post(
        f"{url}wiedervorlagen/neu/", {"wv-faellig_am": due.isoformat(), "wv-notiz": "Anrufen"}
    )
    assert response.status_code == 302
    row = Wiedervorlage.objects.get(notiz="Anrufen")
    assert (row.akte, row.faellig_am, row.fuer_user) == (case.akte, due, akten.w.clerk)

    past = clerk.post(f"{url}wiedervorlagen/neu/", {"wv-faellig_am": "2020-01-01"})
    assert past.status_code == 400
    assert german("The due date lies in the past.") in text_of(past)


def test_zda_is_explained_until_every_vorgang_is_done_then_closes_and_reopens(
    case: Case, clerk: Client
) -> None:
    url = f"/intern/akten/{case.akte.pk}/"
    refused = clerk.post(f"{url}zda/", follow=True)
    assert german("The Akte still has %d open Vorgänge; close them first.", 1) in text_of(refused)
    assert Akte.objects.get(pk=case.akte.pk).status == AktenStatus.OFFEN

    clerk.post(
        f"/intern/vorgaenge/{case.vorgang.pk}/bearbeiten/",
        {"bearbeiten-status": "erledigt", "bearbeiten-bearbeiter": case.vorgang.bearbeiter_id},
    )
    page = text_of(clerk.get(url))
    assert 'id="zda-hint"' not in page and f'action="{url}zda/"' in page

    closed = clerk.post(f"{url}zda/", follow=True)
    akte = Akte.objects.get(pk=case.akte.pk)
    assert akte.status == AktenStatus.ZDA
    assert akte.aufbewahren_bis is not None and akte.aufbewahren_bis.year == akte.jahr + 10
    page = text_of(closed)
    assert f'action="{url}wieder-oeffnen/"' in page
    assert "vorgaenge/neu/" not in page and "umprotokollieren/" not in page
    vorgang_page = text_of(clerk.get(f"/intern/vorgaenge/{case.vorgang.pk}/"))
    assert "enctype" not in vorgang_page  # nothing can be filed into a closed Akte

    clerk.post(f"{url}wieder-oeffnen/")
    assert Akte.objects.get(pk=case.akte.pk).status == AktenStatus.OFFEN


def test_umprotokollieren_by_kennzeichen(akten: AkteWorld, case: Case, clerk: Client) -> None:
    url = f"/intern/akten/{case.akte.pk}/umprotokollieren/"
    unknown = clerk.post(url, {"umprotokollieren-kennzeichen": "99.9"})
    assert unknown.status_code == 400
    assert "99.9" in text_of(unknown)
    old = case.akte.aktenzeichen
    response = clerk.post(url, {"umprotokollieren-kennzeichen": "10.38.60"}, follow=True)
    akte = Akte.objects.get(pk=case.akte.pk)
    assert akte.position == akten.positions["10.38.60"] and akte.aktenzeichen != old
    assert FruehereAktenzeichen.objects.filter(akte=akte, aktenzeichen=old).exists()
    page = text_of(response)
    assert old in page and akte.aktenzeichen in page  # the former Aktenzeichen and the history


def test_beteiligung_grant_and_withdraw(akten: AkteWorld, case: Case, clerk: Client) -> None:
    w = akten.w
    neighbour = client_for(w.other_clerk, A_HOST)
    url = f"/intern/akten/{case.akte.pk}/"
    assert neighbour.get(url).status_code == 404
    response = clerk.post(f"{url}beteiligungen/neu/", {"beteiligung-unit": w.units["32.2"].pk})
    assert response.status_code == 302
    assert neighbour.get(url).status_code == 200
    both = clerk.post(
        f"{url}beteiligungen/neu/",
        {"beteiligung-unit": w.units["32.2"].pk, "beteiligung-user": w.dsb.pk},
    )
    assert both.status_code == 400
    grant = Beteiligung.objects.get(akte=case.akte, unit=w.units["32.2"])
    clerk.post(f"{url}beteiligungen/{grant.pk}/entziehen/")
    assert neighbour.get(url).status_code == 404

    confidential = text_of(
        clerk.get(f"/intern/akten/{akten.vertr_32_1.pk}/?formular=beteiligung_form")
    )
    assert 'name="beteiligung-user"' in confidential
    assert 'name="beteiligung-unit"' not in confidential  # persons only


def test_wiedervorlage_done_from_the_inbox(case: Case, clerk: Client) -> None:
    response = clerk.post(
        f"/intern/wiedervorlagen/{case.wiedervorlage.pk}/erledigt/",
        {"next": "/intern/posteingang/?liste=mine"},
    )
    assert response["Location"] == "/intern/posteingang/?liste=mine"
    assert Wiedervorlage.objects.get(pk=case.wiedervorlage.pk).erledigt_am is not None
    elsewhere = clerk.post(
        f"/intern/wiedervorlagen/{case.wiedervorlage.pk}/erledigt/",
        {"next": "https://example.org/"},
    )
    assert elsewhere["Location"] == "/intern/posteingang/"


# --- Vorgänge and Dokumente --------------------------------------------------------------------


def test_vorgang_update_assigns_and_unassigns(akten: AkteWorld, case: Case, clerk: Client) -> None:
    url = f"/intern/vorgaenge/{case.vorgang.pk}/bearbeiten/"
    frist = timezone.localdate() + timedelta(days=14)
    response = clerk.post(
        url,
        {
            "bearbeiten-status": "in_bearbeitung",
            "bearbeiten-bearbeiter": "",
            "bearbeiten-frist": frist.isoformat(),
        },
    )
    assert response.status_code == 302
    vorgang = Vorgang.objects.get(pk=case.vorgang.pk)
    assert (vorgang.status, vorgang.bearbeiter, vorgang.frist) == (
        VorgangStatus.IN_BEARBEITUNG,
        None,
        frist,
    )
    stranger = clerk.post(
        url, {"bearbeiten-status": "neu", "bearbeiten-bearbeiter": akten.w.other_clerk.pk}
    )
    assert stranger.status_code == 400  # not staff of the working unit


def test_vorgang_move_into_a_closed_akte_shows_the_message(
    akten: AkteWorld, case: Case, clerk: Client
) -> None:
    clerk_principal = as_(akten.w.clerk)
    target = check_akte_create(
        principal=clerk_principal,
        position=akten.positions["10.38.50"],
        titel="Ziel",
        federfuehrende_oe=akten.w.units["32.1"],
    )
    akte_close(principal=clerk_principal, akte=target)
    response = clerk.post(
        f"/intern/vorgaenge/{case.vorgang.pk}/verschieben/",
        {"verschieben-aktenzeichen": target.aktenzeichen},
    )
    assert response.status_code == 400
    message = german("The Akte %s is closed (zdA); reopen it first.", target.aktenzeichen)
    assert message in text_of(response)
    assert '<details class="kern-accordion" id="verschieben" open>' in text_of(response)
    assert Vorgang.objects.get(pk=case.vorgang.pk).akte == case.akte

    foreign = clerk.post(
        f"/intern/vorgaenge/{case.vorgang.pk}/verschieben/",
        {"verschieben-aktenzeichen": akten.offen_32_2.aktenzeichen},
    )
    assert foreign.status_code == 400  # not an Akte the clerk may work on
    assert Vorgang.objects.get(pk=case.vorgang.pk).akte == case.akte

    open_target = check_akte_create(
        principal=clerk_principal,
        position=akten.positions["10.38.50"],
        titel="Offen",
        federfuehrende_oe=akten.w.units["32.1"],
    )
    moved = clerk.post(
        f"/intern/vorgaenge/{case.vorgang.pk}/verschieben/",
        {"verschieben-aktenzeichen": f" {open_target.aktenzeichen} "},
    )
    assert moved.status_code == 302
    assert Vorgang.objects.get(pk=case.vorgang.pk).akte == open_target


def test_dokument_move_to_another_vorgang_of_the_akte(
    akten: AkteWorld, case: Case, clerk: Client
) -> None:
    other = vorgang_create(principal=as_(akten.w.clerk), akte=case.akte, betreff="Nachtrag")
    page = text_of(clerk.get(f"/intern/vorgaenge/{case.vorgang.pk}/"))
    assert f'<option value="{other.pk}">Nachtrag (' in page
    url = f"/intern/dokumente/{case.text_dokument.pk}/verschieben/"
    prefix = f"dokument-{case.text_dokument.pk}"
    stray = clerk.post(url, {f"{prefix}-vorgang": str(akten.offen_32_2.pk)})
    assert stray.status_code == 400
    response = clerk.post(url, {f"{prefix}-vorgang": str(other.pk)})
    assert response["Location"] == f"/intern/vorgaenge/{case.vorgang.pk}/#inhalt"
    assert Dokument.objects.get(pk=case.text_dokument.pk).vorgang == other


def test_new_dokument_and_new_version(case: Case, clerk: Client) -> None:
    response = clerk.post(
        f"/intern/vorgaenge/{case.vorgang.pk}/dokumente/neu/",
        {
            "dokument-titel": "Nachweis Meisterbrief",
            "dokument-dokumentdatum": "2026-03-05",
            "dokument-richtung": "eingang",
            "dokument-dokumenttyp": "nachweis",
            "dokument-datei": SimpleUploadedFile("meister.pdf", PDF, content_type="text/html"),
        },
    )
    assert response.status_code == 302
    dokument = Dokument.objects.get(titel="Nachweis Meisterbrief")
    version = dokument.versionen.get()
    assert (version.dateiname, version.media_type) == ("meister.pdf", "application/pdf")

    prefix = f"version-{dokument.pk}"
    url = f"/intern/dokumente/{dokument.pk}/versionen/neu/"
    no_reason = clerk.post(
        url,
        {
            f"{prefix}-rendition": "original",
            f"{prefix}-datei": SimpleUploadedFile("meister2.pdf", PDF + b"%"),
        },
    )
    assert no_reason.status_code == 400
    assert german("Please say why there is a new version.") in text_of(no_reason)
    assert f'id="{prefix}" open' in text_of(no_reason)

    response = clerk.post(
        url,
        {
            f"{prefix}-rendition": "original",
            f"{prefix}-kommentar": "Korrigiert",
            f"{prefix}-datei": SimpleUploadedFile("meister2.pdf", PDF + b"%"),
        },
    )
    assert response.status_code == 302
    versions = list(Dokumentversion.objects.filter(dokument=dokument).order_by("nummer"))
    assert [(v.nummer, v.ist_aktuell, v.kommentar) for v in versions][1] == (2, True, "Korrigiert")
    assert not versions[0].ist_aktuell
    page = text_of(clerk.get(f"/intern/vorgaenge/{case.vorgang.pk}/?ansicht={versions[0].pk}"))
    assert f'src="/intern/dokumentversionen/{versions[0].pk}/ansicht"' in page  # an older PDF


def _counts() -> tuple[int, int, int]:
    return Dokument.objects.count(), Dokumentversion.objects.count(), Blob.objects.count()


def test_upload_over_the_limit_shows_the_message_and_writes_nothing(
    case: Case, clerk: Client, settings: Settings
) -> None:
    settings.AMTSFLUSS_MAX_UPLOAD_BYTES = 1024
    before = _counts()
    big = b"%PDF-1.7\n" + b"x" * 4096
    response = clerk.post(
        f"/intern/vorgaenge/{case.vorgang.pk}/dokumente/neu/",
        {
            "dokument-titel": "Zu groß",
            "dokument-dokumentdatum": "2026-03-05",
            "dokument-richtung": "eingang",
            "dokument-dokumenttyp": "nachweis",
            "dokument-datei": SimpleUploadedFile("gross.pdf", big),
        },
    )
    assert response.status_code == 413
    with translation.override("de"):
        message = too_large_message()
    assert message in text_of(response)
    assert '<details class="kern-accordion" id="neues-dokument" open>' in text_of(response)
    prefix = f"version-{case.pdf_dokument.pk}"
    version = clerk.post(
        f"/intern/dokumente/{case.pdf_dokument.pk}/versionen/neu/",
        {
            f"{prefix}-kommentar": "zu groß",
            f"{prefix}-rendition": "original",
            f"{prefix}-datei": SimpleUploadedFile("gross.pdf", big),
        },
    )
    assert version.status_code == 413 and message in text_of(version)
    assert _counts() == before


def _csrf_client(user_name: str) -> tuple[Client, str]:
    """A session that goes through Django's CSRF check like a browser does."""
    client = Client(enforce_csrf_checks=True, HTTP_HOST=A_HOST)
    client.get("/anmelden/")
    client.post(
        "/anmelden/",
        {
            "csrfmiddlewaretoken": client.cookies["amtsfluss_csrf"].value,
            "username": user_name,
            "password": PASSWORD,
        },
    )
    client.get("/intern/")
    return client, client.cookies["amtsfluss_csrf"].value


def test_upload_limit_comes_before_the_csrf_check(case: Case, settings: Settings) -> None:
    """The limit is installed before the CSRF check reads the body; a token sent first still
    counts, and a body declared far beyond the limit is not read (413, not a CSRF refusal)."""
    settings.AMTSFLUSS_MAX_UPLOAD_BYTES = 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client, token = _csrf_client("clerk")
    url = f"/intern/dokumente/{case.pdf_dokument.pk}/versionen/neu/"
    prefix = f"version-{case.pdf_dokument.pk}"
    fields = {
        "csrfmiddlewaretoken": token,
        f"{prefix}-kommentar": "x",
        f"{prefix}-rendition": "original",
    }
    before = _counts()
    small = client.post(url, {**fields, f"{prefix}-datei": SimpleUploadedFile("a.pdf", PDF[:500])})
    assert small.status_code == 302
    over = client.post(url, {**fields, f"{prefix}-datei": SimpleUploadedFile("b.pdf", PDF * 4)})
    assert over.status_code == 413
    huge = client.post(
        url, {**fields, f"{prefix}-datei": SimpleUploadedFile("c.pdf", b"x" * 80_000)}
    )
    assert huge.status_code == 413
    with translation.override("de"):
        assert too_large_message() in text_of(huge)
    forged = client.post(
        url, {f"{prefix}-kommentar": "x", f"{prefix}-datei": SimpleUploadedFile("d.pdf", b"%PDF")}
    )
    assert forged.status_code == 403  # no token, small body: the CSRF check refuses
    assert _counts() == (before[0], before[1] + 1, before[2] + 1)


def test_refusals_for_a_closed_akte_are_shown_with_their_form(
    akten: AkteWorld, case: Case, clerk: Client
) -> None:
    """The Akte was closed after the page was opened: the refusal is shown, nothing filed."""
    Vorgang.objects.filter(akte=case.akte).update(status=VorgangStatus.ERLEDIGT)
    akte_close(principal=as_(akten.w.clerk), akte=case.akte)
    closed = german("The Akte %s is closed (zdA); reopen it first.", case.akte.aktenzeichen)
    before = (Vorgang.objects.count(), Dokument.objects.count(), Dokumentversion.objects.count())

    vorgang = clerk.post(
        f"/intern/akten/{case.akte.pk}/vorgaenge/neu/",
        {"vorgang-betreff": "Zu spät", "vorgang-eingangsdatum": "2026-03-04"},
    )
    assert vorgang.status_code == 400 and closed in text_of(vorgang)
    assert '<details class="kern-accordion" id="neuer-vorgang" open>' in text_of(vorgang)

    dokument = clerk.post(
        f"/intern/vorgaenge/{case.vorgang.pk}/dokumente/neu/",
        {
            "dokument-titel": "Zu spät",
            "dokument-dokumentdatum": "2026-03-05",
            "dokument-richtung": "eingang",
            "dokument-dokumenttyp": "nachweis",
            "dokument-datei": SimpleUploadedFile("spaet.pdf", PDF),
        },
    )
    assert dokument.status_code == 400 and closed in text_of(dokument)
    assert '<details class="kern-accordion" id="neues-dokument" open>' in text_of(dokument)
    assert (Vorgang.objects.count(), Dokument.objects.count(), Dokumentversion.objects.count()) == (
        before
    )
