"""Kasse pages: the public payment page by token, the Kasse's list, detail, marking and the
CAMT.053 upload — with the access rules (other unit, other Mandant, no Kasse role)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from amtsfluss.core.models import AuditEvent
from amtsfluss.kasse import camt as camt_module
from amtsfluss.kasse.models import Kontoumsatz, Zustand
from tests.conftest import client_for
from tests.kasse.camt_files import camt
from tests.kasse.conftest import KasseWorld
from tests.kasse.test_camt import XXE


def test_payment_page_shows_amount_kassenzeichen_girocode_bank_details(kw: KasseWorld) -> None:
    forderung, token = kw.forderung("12.50", zweck="Geburtsurkunde, 1 Stück")
    response = Client(HTTP_HOST="a.test").get(f"/zahlung/{token}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert forderung.kassenzeichen in body
    assert "12,50 EUR" in body
    assert "DE89370400440532013000" in body and "COBADEFFXXX" in body
    assert "<svg" in body and 'role="img"' in body
    assert "Geburtsurkunde, 1 Stück" in body
    assert "no-store" in response["Cache-Control"]
    assert "/online/" not in body  # no provider configured: no online button


def test_payment_page_unknown_guessed_or_other_mandant_token_is_404(kw: KasseWorld) -> None:
    _forderung, token = kw.forderung()
    assert Client(HTTP_HOST="b.test").get(f"/zahlung/{token}/").status_code == 404
    assert Client(HTTP_HOST="a.test").get(f"/zahlung/{token[:-2]}xx/").status_code == 404
    assert Client(HTTP_HOST="a.test").get("/zahlung/kurz/").status_code == 404
    assert Client(HTTP_HOST="a.test").get(f"/zahlung/{'A' * 43}/").status_code == 404


def test_paid_forderung_page_shows_state_without_girocode(kw: KasseWorld) -> None:
    forderung, token = kw.forderung()
    client = client_for(kw.kasse, "a.test")
    assert client.post(f"/intern/kasse/{forderung.pk}/bezahlt/").status_code == 302
    body = Client(HTTP_HOST="a.test").get(f"/zahlung/{token}/").content.decode()
    assert "<svg" not in body
    assert "bezahlt" in body


def test_kasse_list_filters_by_state(kw: KasseWorld) -> None:
    offen, _ = kw.forderung("1.00")
    bezahlt, _ = kw.forderung("2.00")
    client = client_for(kw.kasse, "a.test")
    client.post(f"/intern/kasse/{bezahlt.pk}/bezahlt/")
    page = client.get("/intern/kasse/").content.decode()
    assert offen.kassenzeichen in page and bezahlt.kassenzeichen in page
    page = client.get("/intern/kasse/?zustand=offen").content.decode()
    assert offen.kassenzeichen in page and bezahlt.kassenzeichen not in page
    page = client.get("/intern/kasse/?zustand=bezahlt").content.decode()
    assert offen.kassenzeichen not in page and bezahlt.kassenzeichen in page


def test_kasse_area_does_not_exist_for_other_roles_and_mandants(kw: KasseWorld) -> None:
    forderung, _ = kw.forderung(vorgang=kw.vorgang_32_1, zweck="Sterbeurkunde A")
    for user in (kw.w.clerk, kw.w.admin, kw.w.head):
        client = client_for(user, "a.test")
        assert client.get("/intern/kasse/").status_code == 404
        assert client.get("/intern/kasse/kontoauszug/").status_code == 404
    # the Kasse of Mandant B has its own area, without A's Forderung, and does not reach it
    client_b = client_for(kw.b_kasse, "b.test")
    listing = client_b.get("/intern/kasse/")
    assert listing.status_code == 200 and "Sterbeurkunde A" not in listing.content.decode()
    assert client_b.get(f"/intern/kasse/{forderung.pk}/").status_code == 404
    assert client_b.post(f"/intern/kasse/{forderung.pk}/bezahlt/").status_code == 404
    forderung.refresh_from_db()
    assert forderung.zustand == Zustand.OFFEN


def test_levying_unit_sees_its_forderung_other_unit_does_not(kw: KasseWorld) -> None:
    forderung, _ = kw.forderung(vorgang=kw.vorgang_32_1)
    own = client_for(kw.w.clerk, "a.test")
    page = own.get(f"/intern/kasse/{forderung.pk}/")
    assert page.status_code == 200
    assert "/bezahlt/" not in page.content.decode()  # sees it, may not book it
    assert own.post(f"/intern/kasse/{forderung.pk}/bezahlt/").status_code == 404
    other = client_for(kw.w.other_clerk, "a.test")
    assert other.get(f"/intern/kasse/{forderung.pk}/").status_code == 404
    assert other.post(f"/intern/kasse/{forderung.pk}/bezahlt/").status_code == 404
    forderung.refresh_from_db()
    assert forderung.zustand == Zustand.OFFEN
    assert AuditEvent.objects.filter(
        action="kasse.forderung.change", outcome="denied", object_id=str(forderung.pk)
    ).exists()


def test_kasse_marks_paid_and_refunded_on_the_page(kw: KasseWorld) -> None:
    forderung, _ = kw.forderung()
    client = client_for(kw.kasse, "a.test")
    page = client.get(f"/intern/kasse/{forderung.pk}/").content.decode()
    assert f"/intern/kasse/{forderung.pk}/bezahlt/" in page
    client.post(f"/intern/kasse/{forderung.pk}/bezahlt/", {"notiz": "Barzahlung"})
    client.post(f"/intern/kasse/{forderung.pk}/erstattet/")
    forderung.refresh_from_db()
    assert forderung.zustand == Zustand.ERSTATTET
    page = client.get(f"/intern/kasse/{forderung.pk}/").content.decode()
    assert "Barzahlung" in page and "karla" not in page


def test_upload_camt053_on_the_page(kw: KasseWorld) -> None:
    forderung, _ = kw.forderung("20.00")
    client = client_for(kw.kasse, "a.test")
    data = camt("camt053_v08.xml", KZ1=forderung.kassenzeichen, KZ2="x")
    response = client.post(
        "/intern/kasse/kontoauszug/",
        {"datei": SimpleUploadedFile("auszug.xml", data, content_type="application/xml")},
    )
    assert response.status_code == 200
    assert 'id="bericht-summe"' in response.content.decode()
    assert forderung.kassenzeichen in response.content.decode()
    forderung.refresh_from_db()
    assert forderung.zustand == Zustand.BEZAHLT
    hostile = client.post(
        "/intern/kasse/kontoauszug/",
        {"datei": SimpleUploadedFile("x.xml", XXE, content_type="application/xml")},
    )
    assert hostile.status_code == 400
    assert "DOCTYPE" in hostile.content.decode()
    assert client.post("/intern/kasse/kontoauszug/", {}).status_code == 400


def test_list_page_costs_the_same_queries_for_more_rows(
    kw: KasseWorld, django_assert_max_num_queries: Any
) -> None:
    client = client_for(kw.kasse, "a.test")
    for _ in range(2):
        kw.forderung(vorgang=kw.vorgang_32_1)
    client.get("/intern/kasse/")  # warm: session, caches
    with CaptureQueriesContext(connection) as few:
        assert client.get("/intern/kasse/").status_code == 200
    for _ in range(8):
        kw.forderung(vorgang=kw.vorgang_32_2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/intern/kasse/").content.decode().count("/intern/kasse/") >= 10


def test_oversize_statement_upload_is_refused_unread(
    kw: KasseWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(camt_module, "MAX_BYTES", 100)
    client = client_for(kw.kasse, "a.test")
    response = client.post(
        "/intern/kasse/kontoauszug/",
        {"datei": SimpleUploadedFile("big.xml", b"<Document>" + b" " * 200 + b"</Document>")},
    )
    assert response.status_code == 413
    assert "zu groß" in response.content.decode()
    assert not Kontoumsatz.objects.exists()


def test_starting_online_payments_is_rate_limited(kw: KasseWorld) -> None:
    _forderung, token = kw.forderung()
    client = Client(HTTP_HOST="a.test")
    answers = [client.post(f"/zahlung/{token}/online/").status_code for _ in range(11)]
    assert answers[:10] == [302] * 10
    assert answers[10] == 429
