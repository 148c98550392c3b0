"""Zahlungslauf: pain.001 (XSD-valid), CSV for the finance software, Skonto, at most once."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sepaxml  # type: ignore[import-untyped]
import xmlschema  # type: ignore[import-untyped]
from django.utils import timezone
from lxml import etree  # type: ignore[import-untyped]

from amtsfluss.akte.models import Dokumentversion, VorgangStatus
from amtsfluss.core.errors import PermissionDenied, ServiceError
from amtsfluss.core.services.blobs import blob_open
from amtsfluss.rechnung.models import Rechnung, RechnungStatus
from amtsfluss.rechnung.services.freigabe import (
    rechnung_anordnen,
    rechnung_rechnerisch_richtig,
    rechnung_sachlich_richtig,
)
from amtsfluss.rechnung.services.zahlungsdateien import CSV_COLUMNS, PAIN_SCHEMA
from amtsfluss.rechnung.services.zahlungslauf import zahlungslauf_create
from tests.rechnung.rechnung_world import (  # noqa: F401 — fixture
    RechnungWorld,
    as_,
    invoice,
    rechnung_world,
)

NS = {"p": f"urn:iso:std:iso:20022:tech:xsd:{PAIN_SCHEMA}"}


def _angeordnet(rw: RechnungWorld, number: str, **kwargs: object) -> Rechnung:
    r = rw.receive(invoice(number, **kwargs))  # type: ignore[arg-type]
    rechnung_sachlich_richtig(principal=as_(rw.w.clerk), rechnung=r)
    rechnung_rechnerisch_richtig(principal=as_(rw.pruefer), rechnung=r)
    return rechnung_anordnen(principal=as_(rw.w.head), rechnung=r)


def _read(blob: object) -> bytes:
    with blob_open(blob=blob) as reader:  # type: ignore[arg-type]
        return reader.read_all()


def test_payment_run_writes_valid_pain001_and_csv(rw: RechnungWorld) -> None:
    with_skonto = _angeordnet(rw, "R-1")  # 117.81 €, 2 % Skonto for 14 days
    skonto_expired = _angeordnet(rw, "R-2", issued_days_ago=20, quantity="10")  # 58.91 €
    run = zahlungslauf_create(principal=as_(rw.kasse), rechnungen=[with_skonto, skonto_expired])

    pain = _read(run.pain001)
    schema = Path(sepaxml.__file__).parent / "schemas" / f"{PAIN_SCHEMA}.xsd"
    xmlschema.XMLSchema(str(schema)).validate(pain.decode())  # raises if invalid
    tree = etree.fromstring(pain)
    transactions = {
        tx.findtext("p:PmtId/p:EndToEndId", namespaces=NS): (
            tx.findtext("p:Amt/p:InstdAmt", namespaces=NS),
            tx.findtext("p:RmtInf/p:Ustrd", namespaces=NS),
            tx.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS),
        )
        for tx in tree.iterfind(".//p:CdtTrfTxInf", NS)
    }
    assert transactions == {
        with_skonto.eingangsnummer: ("115.45", "R-1", "DE75512108001245126199"),
        skonto_expired.eingangsnummer: ("58.91", "R-2", "DE75512108001245126199"),
    }
    assert tree.findtext(".//p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == "DE02120300000000202051"
    assert run.summe == Decimal("174.36") and run.anzahl == 2

    raw = _read(run.csv)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == CSV_COLUMNS
    first = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert first["Eingangsnummer"] == with_skonto.eingangsnummer
    assert (first["Rechnungsbetrag"], first["Skonto"], first["Zahlbetrag"]) == (
        "117,81", "2,36", "115,45",
    )  # fmt: skip
    assert first["Ausfuehrungsdatum"] == timezone.localdate().strftime("%d.%m.%Y")
    assert first["Organisationseinheit"] == "32.1"

    for r in (with_skonto, skonto_expired):
        r.refresh_from_db()
        assert (r.status, r.zahlungslauf) == (RechnungStatus.ZUR_ZAHLUNG, run)
        assert r.vorgang is not None and r.vorgang.status == VorgangStatus.ERLEDIGT
        # the approval trail got a second version naming the Zahlungslauf
        latest = Dokumentversion.objects.filter(dokument=r.freigabe_dokument).order_by("-nummer")
        assert [v.nummer for v in latest] == [2, 1]
        assert run.nummer.encode() in _read(latest[0].blob)


def test_an_invoice_is_in_at_most_one_payment_run(rw: RechnungWorld) -> None:
    first, second = _angeordnet(rw, "R-1"), _angeordnet(rw, "R-2")
    kasse = as_(rw.kasse)
    run = zahlungslauf_create(principal=kasse, rechnungen=[first])
    assert zahlungslauf_create(principal=kasse, rechnungen=[first]) == run  # repeated click
    with pytest.raises(ServiceError, match=first.eingangsnummer):
        zahlungslauf_create(principal=kasse, rechnungen=[first, second])
    assert Rechnung.objects.get(pk=second.pk).zahlungslauf is None


def test_only_kasse_exports_and_only_angeordnete(rw: RechnungWorld) -> None:
    ordered = _angeordnet(rw, "R-1")
    with pytest.raises(PermissionDenied):
        zahlungslauf_create(principal=as_(rw.w.head), rechnungen=[ordered])
    fresh = rw.receive(invoice("R-9"))
    with pytest.raises(ServiceError, match=fresh.eingangsnummer):
        zahlungslauf_create(principal=as_(rw.kasse), rechnungen=[ordered, fresh])
    with pytest.raises(ServiceError, match="past"):
        zahlungslauf_create(
            principal=as_(rw.kasse), rechnungen=[ordered],
            ausfuehrungsdatum=timezone.localdate() - timedelta(days=1),
        )  # fmt: skip
    assert Rechnung.objects.get(pk=ordered.pk).status == RechnungStatus.ANGEORDNET


def test_invalid_creditor_iban_refuses_the_run(rw: RechnungWorld) -> None:
    r = _angeordnet(rw, "R-1")
    Rechnung.objects.filter(pk=r.pk).update(iban="DE75512108001245126198")  # bad checksum
    with pytest.raises(ServiceError, match="IBAN"):
        zahlungslauf_create(principal=as_(rw.kasse), rechnungen=[r])
    assert Rechnung.objects.get(pk=r.pk).zahlungslauf is None
