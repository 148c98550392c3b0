"""Forderungen: creation (Kassenzeichen, token), payment states with history and audit,
the Mandant's receiving account, GiroCode."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from segno.helpers import _make_epc_qr_data

from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import AuditEvent
from amtsfluss.core.permissions import Principal
from amtsfluss.kasse import kassenzeichen as kz
from amtsfluss.kasse.girocode import epc_payload, girocode_svg
from amtsfluss.kasse.models import Forderung, Quelle, Zustand
from amtsfluss.kasse.selectors import access_forderung_by_token, forderung_for_vorgang
from amtsfluss.kasse.services.empfaenger import empfaenger_set
from amtsfluss.kasse.services.forderung import forderung_create, forderung_mark, token_hash
from tests.kasse.conftest import KasseWorld

pytestmark = pytest.mark.usefixtures("english")


def test_create_draws_consecutive_valid_kassenzeichen(kw: KasseWorld) -> None:
    first, token = kw.forderung("12.00", vorgang=kw.vorgang_32_1)
    second, _ = kw.forderung("7.50")
    assert kz.is_valid(kz.compact(first.kassenzeichen))
    assert kz.is_valid(kz.compact(second.kassenzeichen))
    assert int(second.kassenzeichen.split("-")[2]) == int(first.kassenzeichen.split("-")[2]) + 1
    assert first.unit_id == kw.w.units["32.1"].pk
    assert first.zustand == Zustand.OFFEN
    assert first.token_hash == token_hash(token) and token not in first.token_hash
    assert len(token) >= 40
    assert access_forderung_by_token(mandant=kw.w.a, token=token) == first
    assert forderung_for_vorgang(kw.vorgang_32_1) == first
    assert forderung_for_vorgang(kw.vorgang_32_2) is None
    assert AuditEvent.objects.filter(
        action="kasse.forderung.create", object_id=str(first.pk)
    ).exists()


def test_kassenzeichen_unique_per_mandant_not_across(kw: KasseWorld) -> None:
    a, _ = kw.forderung()
    b, _ = forderung_create(mandant=kw.w.b, betrag=Decimal("5"), zweck="B")
    assert a.kassenzeichen == b.kassenzeichen  # each Mandant counts on its own


@pytest.mark.parametrize(
    "betrag", [Decimal("0"), Decimal("-1"), Decimal("0.001"), Decimal("NaN"), Decimal("1e12")]
)
def test_bad_amounts_are_refused(kw: KasseWorld, betrag: Decimal) -> None:
    with pytest.raises(ServiceError, match="amount"):
        forderung_create(mandant=kw.w.a, betrag=betrag, zweck="x")
    assert not Forderung.objects.exists()


def test_vorgang_of_another_mandant_is_refused(kw: KasseWorld) -> None:
    with pytest.raises(ServiceError, match="another Mandant"):
        forderung_create(mandant=kw.w.b, betrag=Decimal("1"), zweck="x", vorgang=kw.vorgang_32_1)


def test_receiving_account_checked_with_schwifty(kw: KasseWorld) -> None:
    with pytest.raises(ServiceError, match="not a valid IBAN"):
        empfaenger_set(mandant=kw.w.a, name="X", iban="DE89370400440532013001")
    with pytest.raises(ServiceError, match="prefix"):
        empfaenger_set(mandant=kw.w.a, name="X", iban="DE89370400440532013000", praefix="1A")
    changed = empfaenger_set(mandant=kw.w.a, name="X", iban="de89 3704 0044 0532 0130 00")
    assert changed.iban == "DE89370400440532013000"
    assert changed.bic == "COBADEFFXXX"  # from the bank registry


def test_mark_bezahlt_then_erstattet_with_history(kw: KasseWorld) -> None:
    forderung, _ = kw.forderung()
    kasse = Principal.for_user(kw.kasse)
    forderung_mark(principal=kasse, pk=forderung.pk, nach=Zustand.BEZAHLT, notiz="bar")
    with pytest.raises(ServiceError, match="cannot become"):
        forderung_mark(principal=kasse, pk=forderung.pk, nach=Zustand.BEZAHLT)
    forderung_mark(principal=kasse, pk=forderung.pk, nach=Zustand.ERSTATTET)
    forderung.refresh_from_db()
    assert forderung.zustand == Zustand.ERSTATTET and forderung.bezahlt_am is not None
    rows = list(forderung.historie.values_list("von", "nach", "quelle", "by_id", "notiz"))
    assert rows == [
        ("", Zustand.OFFEN, Quelle.ANLAGE, None, ""),
        (Zustand.OFFEN, Zustand.BEZAHLT, Quelle.KASSE, kw.kasse.pk, "bar"),
        (Zustand.BEZAHLT, Zustand.ERSTATTET, Quelle.KASSE, kw.kasse.pk, ""),
    ]
    actions = set(
        AuditEvent.objects.filter(object_id=str(forderung.pk)).values_list("action", flat=True)
    )
    assert {"kasse.forderung.bezahlt", "kasse.forderung.erstattet"} <= actions


def test_open_forderung_cannot_be_refunded(kw: KasseWorld) -> None:
    forderung, _ = kw.forderung()
    with pytest.raises(ServiceError, match="cannot become"):
        forderung_mark(
            principal=Principal.for_user(kw.kasse), pk=forderung.pk, nach=Zustand.ERSTATTET
        )


def test_epc_payload_is_version_002_utf8_with_kassenzeichen(kw: KasseWorld) -> None:
    forderung, _ = kw.forderung("12.50", zweck="Geburtsurkunde Müller, 2 Stück")
    payload = epc_payload(forderung)
    lines = payload.split("\n")
    assert lines[:4] == ["BCD", "002", "1", "SCT"]
    assert lines[4] == "COBADEFFXXX"
    assert lines[5] == "Stadtkasse A"
    assert lines[6] == "DE89370400440532013000"
    assert lines[7] == "EUR12.5"
    assert lines[10].startswith(forderung.kassenzeichen + " Geburtsurkunde Müller")
    # the same bytes segno's EPC helper encodes (UTF-8 chosen explicitly)
    assert payload.encode() == _make_epc_qr_data(
        "Stadtkasse A",
        "DE89370400440532013000",
        Decimal("12.50"),
        text=lines[10],
        bic="COBADEFFXXX",
        encoding="utf-8",
    )


def test_girocode_svg_is_inline_and_labelled(kw: KasseWorld) -> None:
    forderung, _ = kw.forderung("12.00")
    svg = girocode_svg(forderung)
    assert svg.startswith("<svg") and "<?xml" not in svg
    assert 'role="img"' in svg
    title = re.search(r'<title id="([^"]+)">([^<]+)</title>', svg)
    assert title is not None and f'aria-labelledby="{title.group(1)}"' in svg
    assert forderung.kassenzeichen in title.group(2)
    assert "href" not in svg and "<script" not in svg


def test_demo_receiving_account_is_valid_and_first_among_demo_steps(kw: KasseWorld) -> None:
    from amtsfluss.core.demo import DEMO_STEPS
    from amtsfluss.kasse.demo import DEMO_IBAN, create_kasse_demo

    assert DEMO_STEPS.index(create_kasse_demo) == 0
    create_kasse_demo(kw.w.b, {})
    forderung, _ = forderung_create(mandant=kw.w.b, betrag=Decimal("3"), zweck="Demo")
    assert forderung.kassenzeichen.startswith("MS-")
    assert epc_payload(forderung).split("\n")[6] == DEMO_IBAN


def test_renewed_token_opens_the_payment_page_and_the_old_one_stops(kw: KasseWorld) -> None:
    from django.http import Http404

    from amtsfluss.kasse.services.forderung import forderung_token_renew

    forderung, old = kw.forderung()
    new = forderung_token_renew(forderung=forderung)
    assert new != old
    assert access_forderung_by_token(mandant=kw.w.a, token=new) == forderung
    with pytest.raises(Http404):
        access_forderung_by_token(mandant=kw.w.a, token=old)
    with pytest.raises(Http404):
        access_forderung_by_token(mandant=kw.w.b, token=new)
