"""End to end: a supplier's XRechnung arrives by mail in Dovecot, the worker's poll registers it
in the Rechnungseingangsbuch with channel ``mail`` and the mail's provenance; a mail without an
invoice is refused with a reason; a file in the watched folder arrives as ``ordner``."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from amtsfluss.core.intake.runner import run_channel
from amtsfluss.core.intake.services import check_folder_create
from amtsfluss.core.models import IntakeRecord
from amtsfluss.rechnung.models import Rechnung
from amtsfluss.rechnung.validation.rules import RulePack
from tests.conftest import World
from tests.intake.conftest import Place, mail, mailbox_channel
from tests.intake.dovecot import Dovecot
from tests.rechnung.conftest import TESTSUITE

SUPPLIER_INVOICE = (
    TESTSUITE / "src" / "test" / "business-cases" / "standard" / "01.01a-INVOICE_ubl.xml"
)


@pytest.fixture
def invoice_xml() -> bytes:
    if not SUPPLIER_INVOICE.is_file():
        pytest.fail(
            f"XRechnung testsuite not found at {SUPPLIER_INVOICE} (see tests/rechnung/conftest.py)"
        )
    return SUPPLIER_INVOICE.read_bytes()


@pytest.fixture
def shop(world: World, rules_pack: RulePack, english: None) -> Place:
    return Place(mandant=world.a, unit=world.units["10"])


@pytest.mark.django_db(transaction=True)
def test_an_xrechnung_by_mail_is_registered_with_its_provenance(
    shop: Place, dovecot: Dovecot, invoice_xml: bytes
) -> None:
    dovecot.append(
        mail(
            "Rechnung 4711",
            message_id="<rechnung-4711@lieferant.example>",
            attachments=(("rechnung-4711.xml", invoice_xml, "application/xml"),),
        )
    )
    dovecot.append(mail("Nur ein Gruß", message_id="<gruss@lieferant.example>"))
    channel = mailbox_channel(shop, dovecot, name="rechnungen", purpose="rechnung")

    report = run_channel(channel.pk)

    assert report is not None and (report.done, report.refused) == (1, 1)
    rechnung = Rechnung.objects.get()
    assert rechnung.kanal == "mail" and rechnung.mandant == shop.mandant
    assert rechnung.dateiname == "rechnung-4711.xml"
    assert rechnung.verdict == "accept", rechnung.findings
    assert rechnung.herkunft["message_id"] == "<rechnung-4711@lieferant.example>"
    assert rechnung.herkunft["from"] == "Feder & Tinte <rechnung@feder-tinte.example>"
    assert rechnung.herkunft["subject"] == "Rechnung 4711"
    assert rechnung.herkunft["mailbox"] == "intake@127.0.0.1/INBOX"
    done = IntakeRecord.objects.get(state="done")
    assert done.result == rechnung.eingangsnummer
    refused = IntakeRecord.objects.get(state="refused")
    assert refused.reason == "No XML or PDF file found; an e-invoice is expected as an attachment."
    assert len(dovecot.messages("Verarbeitet")) == 1
    [(_, left)] = dovecot.messages("INBOX")
    assert b"<gruss@lieferant.example>" in left


@pytest.mark.django_db(transaction=True)
def test_an_xrechnung_in_the_watched_folder_is_registered(
    shop: Place, tmp_path: Path, invoice_xml: bytes
) -> None:
    path = tmp_path / "01.01a-INVOICE_ubl.xml"
    path.write_bytes(invoice_xml)
    os.utime(path, (time.time() - 60, time.time() - 60))
    channel = check_folder_create(
        mandant=shop.mandant,
        name="scanner",
        purpose="rechnung",
        unit=shop.unit,
        path=str(tmp_path),
        by=None,
    )

    report = run_channel(channel.pk)

    assert report is not None and report.done == 1
    rechnung = Rechnung.objects.get()
    assert rechnung.kanal == "ordner" and rechnung.herkunft["filename"] == path.name
    assert (tmp_path / "done" / path.name).exists()
