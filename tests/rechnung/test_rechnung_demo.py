"""The E-Rechnung demo: generated XRechnung invoices are accepted and land in the register."""

from __future__ import annotations

import pytest

from amtsfluss.core.demo import create_demo
from amtsfluss.rechnung.demo import demo_invoices
from amtsfluss.rechnung.models import Rechnung, RechnungStatus
from amtsfluss.rechnung.services.xrechnung_ubl import xrechnung_ubl
from amtsfluss.rechnung.validation import Validator


def test_generated_demo_invoices_are_valid_xrechnung(validator: Validator) -> None:
    for name, spec in demo_invoices():
        result = validator.validate_bytes(xrechnung_ubl(spec), name=name)
        assert result.accepted, (name, result.findings)
        assert not [f for f in result.findings if f.level != "information"], result.findings


@pytest.mark.django_db
def test_demo_receives_invoices_into_the_register(validator: Validator) -> None:
    mandant = create_demo(hosts=["demo.test"])
    entries = Rechnung.objects.filter(mandant=mandant).order_by("eingangsnummer")
    statuses = [r.status for r in entries]
    assert statuses == [
        RechnungStatus.EINGEGANGEN,
        RechnungStatus.RECHNERISCH_RICHTIG,
        RechnungStatus.EINGEGANGEN,
        RechnungStatus.KLAERUNG,
        RechnungStatus.DUBLETTE,
    ]
    assert all(r.verdict == "accept" for r in entries)
    assert entries[0].unit is not None and entries[0].unit.code == "32.1"
    assert entries[0].vorgang is not None
    assert entries[0].vorgang.akte.position.kennzeichen == "9.3.1"
