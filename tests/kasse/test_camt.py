"""CAMT.053 import: matching on the Kassenzeichen, amounts, idempotency, both namespace
versions, and hostile files."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import AuditEvent
from amtsfluss.kasse import camt as camt_module
from amtsfluss.kasse.camt import parse_camt053
from amtsfluss.kasse.models import Ergebnis, Forderung, Kontoumsatz, Quelle, Zustand
from amtsfluss.kasse.services.kontoauszug import camt053_import
from tests.kasse.camt_files import camt, spaced_lower, typo
from tests.kasse.conftest import B_IBAN, KasseWorld

pytestmark = pytest.mark.usefixtures("english")


def _v02(kw: KasseWorld) -> tuple[list[Forderung], bytes]:
    f1, _ = kw.forderung("12.00")
    f2, _ = kw.forderung("9.00")
    f3, _ = kw.forderung("30.00")
    data = camt(
        "camt053_v02.xml",
        KZ1=spaced_lower(f1.kassenzeichen),
        KZ2=f2.kassenzeichen,
        KZ3=f3.kassenzeichen.replace("-", ""),
        KZ_TYPO=typo(f1.kassenzeichen),
    )
    return [f1, f2, f3], data


def test_v02_statement_matches_reports_and_books(kw: KasseWorld) -> None:
    (f1, f2, f3), data = _v02(kw)
    bericht = camt053_import(mandant=kw.w.a, data=data, by=kw.kasse)
    by_ref = {zeile.referenz: zeile for zeile in bericht.zeilen}
    # the debit and the pending entry are not credits
    assert set(by_ref) == {
        "BANKREF-0001",
        "BANKREF-0002",
        "BANKREF-0004-A",
        "BANKREF-0004-B",
        "BANKREF-0005",
    }
    assert by_ref["BANKREF-0001"].ergebnis == Ergebnis.ZUGEORDNET
    assert by_ref["BANKREF-0001"].kassenzeichen == f1.kassenzeichen
    assert by_ref["BANKREF-0002"].ergebnis == Ergebnis.BETRAG_ABWEICHEND
    assert by_ref["BANKREF-0004-A"].ergebnis == Ergebnis.ZUGEORDNET
    assert by_ref["BANKREF-0004-A"].kassenzeichen == f3.kassenzeichen
    assert by_ref["BANKREF-0004-B"].ergebnis == Ergebnis.OHNE_ZUORDNUNG
    assert by_ref["BANKREF-0005"].ergebnis == Ergebnis.OHNE_ZUORDNUNG  # typo: not matched
    assert bericht.as_dict()["zugeordnet"] == 2
    assert bericht.as_dict()["betrag_abweichend"] == 1
    assert bericht.as_dict()["ohne_zuordnung"] == 2
    for forderung, zustand in ((f1, Zustand.BEZAHLT), (f2, Zustand.OFFEN), (f3, Zustand.BEZAHLT)):
        forderung.refresh_from_db()
        assert forderung.zustand == zustand
    wechsel = f1.historie.get(nach=Zustand.BEZAHLT)
    assert wechsel.quelle == Quelle.CAMT and wechsel.referenz == "BANKREF-0001"
    assert wechsel.by == kw.kasse and wechsel.betrag == Decimal("12.00")
    assert Kontoumsatz.objects.get(referenz="BANKREF-0001").auftraggeber == "Erika Mustermann"
    assert AuditEvent.objects.filter(action="kasse.camt053.import").count() == 1


def test_same_statement_twice_books_nothing_twice(kw: KasseWorld) -> None:
    (f1, _f2, _f3), data = _v02(kw)
    camt053_import(mandant=kw.w.a, data=data)
    again = camt053_import(mandant=kw.w.a, data=data)
    assert again.zeilen == [] and again.schon_importiert == 5
    assert Kontoumsatz.objects.count() == 5
    assert f1.historie.filter(nach=Zustand.BEZAHLT).count() == 1


def test_v08_statement_overpaid_matched_reversal_ignored(kw: KasseWorld) -> None:
    f1, _ = kw.forderung("15.00")
    f2, _ = kw.forderung("12.00")
    data = camt("camt053_v08.xml", KZ1=f1.kassenzeichen, KZ2=f2.kassenzeichen)
    auszug = parse_camt053(data)
    assert [g.referenz for g in auszug.gutschriften] == ["V8-REF-1"]
    assert auszug.gutschriften[0].auftraggeber == "Max Mustermann"
    assert str(auszug.gutschriften[0].buchungstag) == "2026-11-22"
    bericht = camt053_import(mandant=kw.w.a, data=data)
    assert [(z.ergebnis, z.kassenzeichen) for z in bericht.zeilen] == [
        (Ergebnis.ZUGEORDNET, f1.kassenzeichen)
    ]
    f2.refresh_from_db()
    assert f2.zustand == Zustand.OFFEN


def test_already_paid_forderung_is_reported_not_booked(kw: KasseWorld) -> None:
    f1, _ = kw.forderung("15.00")
    first = camt("camt053_v08.xml", KZ1=f1.kassenzeichen, KZ2="x")
    camt053_import(mandant=kw.w.a, data=first)
    second = first.replace(b"V8-REF-1", b"V8-REF-9")
    bericht = camt053_import(mandant=kw.w.a, data=second)
    assert [z.ergebnis for z in bericht.zeilen] == [Ergebnis.SCHON_BEZAHLT]
    assert f1.historie.filter(nach=Zustand.BEZAHLT).count() == 1


def test_statement_of_another_account_is_refused(kw: KasseWorld) -> None:
    f1, _ = kw.forderung()
    data = camt("camt053_v08.xml", iban=B_IBAN, KZ1=f1.kassenzeichen, KZ2="x")
    with pytest.raises(ServiceError, match="not of the Kasse's receiving account"):
        camt053_import(mandant=kw.w.a, data=data)
    assert not Kontoumsatz.objects.exists()


def test_kassenzeichen_of_another_mandant_is_not_matched(kw: KasseWorld) -> None:
    from amtsfluss.kasse.services.forderung import forderung_create

    fb, _ = forderung_create(mandant=kw.w.b, betrag=Decimal("20"), zweck="B")
    fa, _ = kw.forderung("99.00")  # same Kassenzeichen number in A, but amount too high
    assert fa.kassenzeichen == fb.kassenzeichen
    data = camt("camt053_v08.xml", iban=B_IBAN, KZ1=fb.kassenzeichen, KZ2="x")
    bericht = camt053_import(mandant=kw.w.b, data=data)
    assert [z.ergebnis for z in bericht.zeilen] == [Ergebnis.ZUGEORDNET]
    fa.refresh_from_db()
    assert fa.zustand == Zustand.OFFEN


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Acct><Id><IBAN>&xxe;</IBAN></Id></Acct></Stmt></BkToCstmrStmt></Document>"""

LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]><Document>&lol9;</Document>"
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (XXE, "DOCTYPE"),
        (LAUGHS, "DOCTYPE"),
        (XXE.decode().encode("utf-16"), "DOCTYPE"),
        (b"\n\n<!ENTITY x 'y'><Document/>", "DOCTYPE"),
        (b"%PDF-1.7 not xml", "not XML"),
        (b"<Document><unclosed></Document>", "not well-formed"),
        (b'<Document xmlns="urn:other"/>', "not a CAMT.053"),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.02"><x/></Document>',
            "not a CAMT.053",
        ),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
            b"<BkToCstmrStmt/></Document>",
            "no statement",
        ),
    ],
)
def test_hostile_and_broken_files_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(ServiceError, match=message):
        parse_camt053(data)


def test_bad_amount_is_refused(kw: KasseWorld) -> None:
    data = camt("camt053_v08.xml", KZ1="x", KZ2="x").replace(b">20.00<", b">1e999<", 1)
    with pytest.raises(ServiceError, match="out of range"):
        parse_camt053(data)


def test_oversize_file_is_refused_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(camt_module, "MAX_BYTES", 1000)
    with pytest.raises(ServiceError, match="too large"):
        parse_camt053(b"<Document>" + b" " * 1000 + b"</Document>")


def test_a_refused_file_books_nothing(kw: KasseWorld) -> None:
    kw.forderung()
    with pytest.raises(ServiceError):
        camt053_import(mandant=kw.w.a, data=XXE)
    assert not Kontoumsatz.objects.exists()
    assert not AuditEvent.objects.filter(action="kasse.camt053.import").exists()


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_arbitrary_bytes_give_a_clear_error_or_a_statement(data: bytes) -> None:
    try:
        parse_camt053(data)
    except ServiceError as exc:
        assert exc.message
