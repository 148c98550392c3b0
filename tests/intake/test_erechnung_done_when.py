"""Issue "E-Rechnung", done when: a supplier's XRechnung arrives by mail, is validated with the
official rules, lands in the Rechnungseingangsbuch of the right unit, passes three different
people, goes out as pain.001, and is filed in the E-Akte — one test, real Dovecot, real rules."""

from __future__ import annotations

import pytest
from lxml import etree  # type: ignore[import-untyped]

from amtsfluss.akte.models import Dokument, VorgangStatus
from amtsfluss.core.intake.runner import run_channel
from amtsfluss.core.services.blobs import blob_open
from amtsfluss.rechnung.models import Rechnung, RechnungStatus
from amtsfluss.rechnung.services.freigabe import (
    rechnung_anordnen,
    rechnung_rechnerisch_richtig,
    rechnung_sachlich_richtig,
)
from amtsfluss.rechnung.services.zahlungslauf import zahlungslauf_create
from tests.intake.conftest import Place, mail, mailbox_channel
from tests.intake.dovecot import Dovecot
from tests.rechnung.rechnung_world import (  # noqa: F401 — fixture
    RechnungWorld,
    as_,
    invoice,
    rechnung_world,
)


@pytest.mark.django_db(transaction=True)
def test_from_the_suppliers_mail_to_pain001_and_the_e_akte(
    rw: RechnungWorld, dovecot: Dovecot
) -> None:
    dovecot.append(
        mail(
            "Rechnung R-2026-0815",
            message_id="<r-2026-0815@feder-tinte.example>",
            attachments=(("R-2026-0815.xml", invoice("R-2026-0815"), "application/xml"),),
        )
    )
    intake_unit = rw.units["20"]  # the Stadtkasse reads the invoice mailbox
    channel = mailbox_channel(Place(rw.w.a, intake_unit), dovecot, purpose="rechnung")

    report = run_channel(channel.pk)

    assert report is not None and report.done == 1
    rechnung = Rechnung.objects.get()
    assert rechnung.kanal == "mail" and rechnung.verdict == "accept", rechnung.findings
    assert rechnung.unit == rw.units["32.1"]  # routed by its Leitweg-ID, not by the mailbox
    assert rechnung.status == RechnungStatus.EINGEGANGEN

    clerk, pruefer, head = as_(rw.w.clerk), as_(rw.pruefer), as_(rw.w.head)
    rechnung_sachlich_richtig(principal=clerk, rechnung=rechnung)
    rechnung_rechnerisch_richtig(principal=pruefer, rechnung=rechnung)
    rechnung = rechnung_anordnen(principal=head, rechnung=rechnung)
    deciders = set(rechnung.schritte.values_list("user__username", flat=True))
    assert len(deciders) == 3

    run = zahlungslauf_create(principal=as_(rw.kasse), rechnungen=[rechnung])
    with blob_open(blob=run.pain001) as reader:
        pain = etree.fromstring(reader.read_all())
    end_to_end = pain.xpath("//*[local-name()='EndToEndId']/text()")
    assert end_to_end == [rechnung.eingangsnummer]
    rechnung.refresh_from_db()
    assert rechnung.status == RechnungStatus.ZUR_ZAHLUNG

    vorgang = rechnung.vorgang
    assert vorgang is not None and vorgang.bearbeitende_oe == rw.units["32.1"]
    assert vorgang.status == VorgangStatus.ERLEDIGT
    filed = set(Dokument.objects.filter(vorgang=vorgang).values_list("titel", flat=True))
    assert len(filed) >= 4, filed  # original, readable PDF, validation report, approval trail
