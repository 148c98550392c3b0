"""Fixtures of the E-Rechnung page tests, on top of ``rw`` (tests/rechnung/rechnung_world.py).

The pages are tested as people see them: in German (``english`` is switched off here). The
official XRechnung rules are installed by tests/rechnung/conftest.py before any validator exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client

from amtsfluss.rechnung.models import Rechnung
from amtsfluss.rechnung.services.einstellungen import leitweg_set
from tests.akte.pages.conftest import german
from tests.conftest import client_for
from tests.rechnung.conftest import STANDARDS
from tests.rechnung.rechnung_world import (
    RechnungWorld,
    as_,
    invoice,
    rechnung_world,
)

__all__ = ["A_HOST", "B_HOST", "Booked", "german", "invoice", "rechnung_world"]

A_HOST = "a.test"
B_HOST = "b.test"
#: A testsuite invoice (UBL) with an embedded PDF; ``booked`` routes its Leitweg-ID to 32.1.
SUITE_INVOICE = STANDARDS / "testsuite/src/test/business-cases/standard/02.03a-INVOICE_ubl.xml"
SUITE_LEITWEG = "90000000-03083-72"
SUITE_ATTACHMENT = "01_15_Anhang_01.pdf"


@pytest.fixture
def english() -> None:
    """Off: the pages speak German here (tests/conftest.py's fixture would force English)."""


def suite_invoice() -> bytes:
    path = Path(SUITE_INVOICE)
    if not path.is_file():
        pytest.fail(f"XRechnung testsuite missing at {path}", pytrace=False)
    return path.read_bytes()


@dataclass
class Booked:
    """Invoices in the register of 32.1: a fresh one, one with an attachment, one in Klärung."""

    rw: RechnungWorld
    fresh: Rechnung
    with_attachment: Rechnung
    klaerung: Rechnung

    def client(self, username: str, host: str = A_HOST) -> Client:
        users = {
            "clerk": self.rw.w.clerk,
            "clerk2": self.rw.clerk2,
            "other_clerk": self.rw.w.other_clerk,
            "head": self.rw.w.head,
            "pruefer": self.rw.pruefer,
            "kasse": self.rw.kasse,
            "admin": self.rw.w.admin,
            "dsb": self.rw.w.dsb,
            "b_clerk": self.rw.w.b_clerk,
        }
        return client_for(users[username], host)


@pytest.fixture
def booked(rw: RechnungWorld) -> Booked:
    leitweg_set(principal=as_(rw.w.admin), leitweg_id=SUITE_LEITWEG, unit=rw.units["32.1"])
    return Booked(
        rw=rw,
        fresh=rw.receive(invoice("R-2026-0815"), name="feder-0815.xml"),
        with_attachment=rw.receive(suite_invoice(), name="02.03a-INVOICE_ubl.xml"),
        klaerung=rw.receive(invoice("R-2026-0999", leitweg="04011000-99999-99"), name="k.xml"),
    )
