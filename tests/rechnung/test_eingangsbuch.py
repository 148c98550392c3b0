"""Receiving invoices: register, route, duplicates, E-Akte filing, Wiedervorlagen, audit."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from amtsfluss.akte.models import Dokument, Dokumentversion, Wiedervorlage
from amtsfluss.core.errors import PermissionDenied, ServiceError
from amtsfluss.core.models import AuditEvent
from amtsfluss.rechnung.models import RechnungStatus
from amtsfluss.rechnung.services.einstellungen import einstellungen_update, leitweg_set
from amtsfluss.rechnung.services.zuordnung import rechnung_route
from tests.rechnung.rechnung_world import (  # noqa: F401 — fixture
    FEDER,
    RechnungWorld,
    as_,
    invoice,
    rechnung_world,
)


def test_valid_invoice_is_registered_routed_and_filed(rw: RechnungWorld) -> None:
    r = rw.receive(invoice())
    year = timezone.localdate().year
    assert r.eingangsnummer == f"{year}-000001"
    assert r.status == RechnungStatus.EINGEGANGEN
    assert r.verdict == "accept"
    assert r.unit == rw.units["32.1"]
    assert r.verkaeufer_name == "Bürobedarf Feder & Tinte GmbH"
    assert r.netto == Decimal("99.00") and r.steuer == Decimal("18.81")
    assert r.zahlbetrag == Decimal("117.81")
    assert r.skonto_bis == timezone.localdate() + timedelta(days=14)
    assert r.skonto_betrag == Decimal("2.36")
    assert r.vorgang is not None
    assert r.vorgang.akte.titel == f"Rechnungseingang {year}"
    assert r.vorgang.bearbeitende_oe == rw.units["32.1"]
    titles = set(Dokument.objects.filter(vorgang=r.vorgang).values_list("titel", flat=True))
    assert titles == {
        "E-Rechnung (Original)",
        "E-Rechnung (lesbare Fassung)",
        "Prüfbericht der E-Rechnung",
    }
    reminders = Wiedervorlage.objects.filter(vorgang=r.vorgang, fuer_oe=rw.units["32.1"])
    assert reminders.count() == 2


def test_intake_without_a_person_acts_as_the_technical_user(rw: RechnungWorld) -> None:
    r = rw.receive(invoice(), provenance={"from": "a@b.example", "message_id": "<1@b>"})
    assert r.created_by.username == "rechnungseingang.a"
    assert not r.created_by.has_usable_password()
    assert not r.created_by.memberships.exists()
    event = AuditEvent.objects.get(action="rechnung.receive", object_id=str(r.pk))
    assert event.actor_label == "rechnungseingang.a"
    assert event.details["kanal"] == "mail"
    assert event.details["herkunft"]["message_id"] == "<1@b>"
    # a second intake reuses the identity
    assert rw.receive(invoice("R-2")).created_by == r.created_by


def test_upload_by_a_person_acts_as_that_person(rw: RechnungWorld) -> None:
    r = rw.receive(invoice(), channel="upload", principal=as_(rw.w.clerk))
    assert r.created_by == rw.w.clerk and r.kanal == "upload"
    with pytest.raises(PermissionDenied):
        rw.receive(invoice("R-b"), channel="upload", principal=as_(rw.w.b_clerk))
    with pytest.raises(ServiceError, match="channel"):
        rw.receive(invoice("R-c"), channel="fax")


def test_rejected_file_is_registered_with_findings_but_not_filed(rw: RechnungWorld) -> None:
    broken = invoice().replace(b"<cbc:BuyerReference>04011000-12345-03</cbc:BuyerReference>", b"")
    r = rw.receive(broken, name="../../etc/rechnung.xml")
    assert (r.status, r.verdict, r.vorgang) == (RechnungStatus.ABGEWIESEN, "reject", None)
    assert r.dateiname == "rechnung.xml"
    assert any(f["rule"] == "BR-DE-15" for f in r.findings)
    assert r.verkaeufer_email == "rechnung@feder-tinte.example"  # for the notice
    garbage = rw.receive(b"no invoice at all", name="x.txt")
    assert garbage.status == RechnungStatus.ABGEWIESEN and garbage.findings
    hostile = rw.receive(
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    )
    assert hostile.status == RechnungStatus.ABGEWIESEN
    assert hostile.findings[0]["rule"] == "AF-DOCTYPE"
    assert not Wiedervorlage.objects.exists()
    numbers = [r.eingangsnummer, garbage.eingangsnummer, hostile.eingangsnummer]
    assert len(set(numbers)) == 3


def test_duplicates_are_flagged_not_registered_twice_as_payable(rw: RechnungWorld) -> None:
    original = rw.receive(invoice())
    same_bytes = rw.receive(invoice())
    assert same_bytes.ist_dublette and same_bytes.dublette_von == original
    assert same_bytes.status == RechnungStatus.DUBLETTE
    assert "same file" in same_bytes.dublette_grund
    # same seller, number and amount, different bytes (another due date)
    resent = rw.receive(invoice(due_in_days=45))
    assert resent.ist_dublette and resent.dublette_von == original
    assert "same seller, invoice number and amount" in resent.dublette_grund
    # the Akte shows that the duplicates arrived; no extra Vorgang, no extra Wiedervorlage
    assert resent.vorgang == original.vorgang
    assert (
        Dokument.objects.filter(vorgang=original.vorgang, titel__startswith="Dublette").count() == 2
    )
    assert Wiedervorlage.objects.count() == 2
    # another amount, or another seller, is no duplicate
    assert not rw.receive(invoice(quantity="21")).ist_dublette
    other = replace(FEDER, name="Andere GmbH", vat_id="DE999999999")
    assert not rw.receive(invoice(seller=other)).ist_dublette


def test_unrouted_invoice_waits_in_klaerung_until_routed(rw: RechnungWorld) -> None:
    r = rw.receive(invoice(leitweg="99999999-00000-00"))
    assert r.status == RechnungStatus.KLAERUNG and r.unit is None and r.vorgang is None
    assert "99999999-00000-00" in r.klaerungsgrund
    with pytest.raises(PermissionDenied):
        rechnung_route(principal=as_(rw.w.clerk), rechnung=r, unit=rw.units["32.1"])
    r = rechnung_route(principal=as_(rw.kasse), rechnung=r, unit=rw.units["32.2"])
    assert r.status == RechnungStatus.EINGEGANGEN and r.unit == rw.units["32.2"]
    assert r.vorgang is not None and r.vorgang.bearbeitende_oe == rw.units["32.2"]
    assert Wiedervorlage.objects.filter(vorgang=r.vorgang).count() == 2
    with pytest.raises(ServiceError):
        rechnung_route(principal=as_(rw.kasse), rechnung=r, unit=rw.units["32.1"])


def test_mandant_accepts_only_configured_customization_ids(rw: RechnungWorld) -> None:
    einstellungen_update(
        principal=as_(rw.w.admin), akzeptierte_customization_ids=["urn:cen.eu:en16931:2017"]
    )
    r = rw.receive(invoice())
    assert r.status == RechnungStatus.ABGEWIESEN
    assert r.findings[-1]["rule"] == "AF-NOT-ACCEPTED"
    einstellungen_update(
        principal=as_(rw.w.admin),
        akzeptierte_customization_ids=["urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:*"],
    )
    assert rw.receive(invoice("R-2")).status == RechnungStatus.EINGEGANGEN


def test_overdue_invoice_gets_its_reminders_today_and_no_past_skonto(rw: RechnungWorld) -> None:
    r = rw.receive(invoice(issued_days_ago=40, due_in_days=30))  # due 10 days ago
    reminders = list(Wiedervorlage.objects.filter(vorgang=r.vorgang))
    assert [w.faellig_am for w in reminders] == [timezone.localdate()]
    soon = rw.receive(invoice("R-2", due_in_days=20, skonto_days=10))
    dates = sorted(
        Wiedervorlage.objects.filter(vorgang=soon.vorgang).values_list("faellig_am", flat=True)
    )
    assert dates == [
        timezone.localdate() + timedelta(days=7),
        timezone.localdate() + timedelta(days=17),
    ]


def test_only_fachadministration_configures(rw: RechnungWorld) -> None:
    with pytest.raises(PermissionDenied):
        leitweg_set(principal=as_(rw.kasse), leitweg_id="1-2-3", unit=rw.units["32.1"])
    with pytest.raises(ServiceError, match="IBAN"):
        einstellungen_update(principal=as_(rw.w.admin), zahlungspflichtiger_iban="DE00123")


ZUGFERD = Path("/work/shared/standards/zugferd/XML-Rechnung/FX")


def test_zugferd_pdf_is_validated_parsed_and_filed_as_pdf(rw: RechnungWorld) -> None:
    source = ZUGFERD / "EN16931_Einfach.pdf"
    if not source.is_file():
        pytest.fail(f"ZUGFeRD corpus missing at {ZUGFERD} (see tests/rechnung/conftest.py)")
    r = rw.receive(source.read_bytes(), name="EN16931_Einfach.pdf")
    assert r.verdict == "accept", r.findings
    assert r.syntax == "cii" and r.rechnungsnummer and r.zahlbetrag is not None
    assert r.status == RechnungStatus.KLAERUNG  # its buyer reference is not ours
    r = rechnung_route(principal=as_(rw.kasse), rechnung=r, unit=rw.units["32.1"])
    original = Dokumentversion.objects.get(
        dokument__vorgang=r.vorgang, dokument__titel="E-Rechnung (Original)"
    )
    assert original.media_type == "application/pdf" and original.blob == r.original
    no_xml = rw.receive(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", name="scan.pdf")
    assert no_xml.status == RechnungStatus.ABGEWIESEN and no_xml.findings
