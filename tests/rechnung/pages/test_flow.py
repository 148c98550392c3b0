"""The whole way of an e-invoice through the pages: uploaded, three different people decide,
the Kasse pays it in a Zahlungslauf, and the pain.001 names it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from lxml import etree

from amtsfluss.rechnung.models import Rechnung, RechnungStatus, Schritt, Zahlungslauf
from tests.conftest import client_for
from tests.rechnung.pages.conftest import A_HOST, german, invoice
from tests.rechnung.rechnung_world import RechnungWorld

PAIN = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}


def _decide(rw: RechnungWorld, username: str, rechnung: Rechnung, step: str) -> None:
    user = {"clerk": rw.w.clerk, "pruefer": rw.pruefer, "head": rw.w.head}[username]
    client = client_for(user, A_HOST)
    page = client.get(f"/intern/rechnungen/{rechnung.pk}/")
    url = f"/intern/rechnungen/{rechnung.pk}/{step}/"
    assert f'action="{url}#bestaetigen"' in page.content.decode(), (username, step)
    status = Rechnung.objects.get(pk=rechnung.pk).status
    response = client.post(url, {"bestaetigen-status": status, "bestaetigen-bemerkung": "ok"})
    assert response.status_code == 302, response.content.decode()[:2000]
    after = client.get(response["Location"])
    label = Schritt(step.replace("-", "_")).label
    message = german(
        "Confirmed: %(step)s. The invoice %(number)s moves on.",
        step=label,
        number=rechnung.eingangsnummer,
    )
    assert message in after.content.decode()


def test_upload_three_decisions_zahlungslauf_and_pain001(rw: RechnungWorld) -> None:
    clerk = client_for(rw.w.clerk, A_HOST)
    data = invoice("FT-2026-4711", quantity="100", price="12.50")  # 1 250 € net, 1 487,50 € due
    response = clerk.post(
        "/intern/rechnungen/hochladen/",
        {"dateien": [SimpleUploadedFile("ft-4711.xml", data, content_type="application/xml")]},
    )
    assert response.status_code == 200
    rechnung = Rechnung.objects.get(rechnungsnummer="FT-2026-4711")
    assert rechnung.kanal == "upload" and rechnung.status == RechnungStatus.EINGEGANGEN
    assert rechnung.unit == rw.units["32.1"]
    html = response.content.decode()
    assert f'href="/intern/rechnungen/{rechnung.pk}/">{rechnung.eingangsnummer}</a>' in html
    assert german("accepted") in html

    listing = clerk.get("/intern/rechnungen/").content.decode()
    assert rechnung.eingangsnummer in listing
    assert "1.487,50 EUR" in listing  # German formatting

    _decide(rw, "clerk", rechnung, "sachlich-richtig")
    _decide(rw, "pruefer", rechnung, "rechnerisch-richtig")
    _decide(rw, "head", rechnung, "anordnung")
    rechnung.refresh_from_db()
    assert rechnung.status == RechnungStatus.ANGEORDNET
    signers = list(rechnung.schritte.order_by("at").values_list("user__username", flat=True))
    assert signers == ["clerk", "pruefer", "head"]

    kasse = client_for(rw.kasse, A_HOST)
    page = kasse.get("/intern/rechnungen/zahlungslaeufe/")
    assert f'value="{rechnung.pk}"' in page.content.decode()
    day = timezone.localdate() + timedelta(days=1)  # before the Skonto deadline: 2 % off
    created = kasse.post(
        "/intern/rechnungen/zahlungslaeufe/",
        {"lauf-rechnungen": [rechnung.pk], "lauf-ausfuehrungsdatum": day.isoformat()},
    )
    assert created.status_code == 302, created.content.decode()[:3000]
    run = Zahlungslauf.objects.get()
    assert created["Location"] == f"/intern/rechnungen/zahlungslaeufe/{run.pk}/"
    shown = kasse.get(created["Location"]).content.decode()
    assert run.nummer in shown and rechnung.eingangsnummer in shown

    pain = kasse.get(f"/intern/rechnungen/zahlungslaeufe/{run.pk}/pain001.xml")
    assert pain.status_code == 200
    assert pain["Content-Disposition"].startswith(f'attachment; filename="{run.nummer}.pain001')
    assert pain["X-Content-Type-Options"] == "nosniff"
    root = etree.fromstring(b"".join(pain.streaming_content))
    transfer = root.find(".//p:CdtTrfTxInf", PAIN)
    assert transfer.findtext("p:PmtId/p:EndToEndId", namespaces=PAIN) == rechnung.eingangsnummer
    amount = Decimal(transfer.findtext("p:Amt/p:InstdAmt", namespaces=PAIN))
    assert amount == Decimal("1487.50") - Decimal("29.75")  # Skonto 2 % deducted
    assert transfer.findtext("p:RmtInf/p:Ustrd", namespaces=PAIN).startswith("FT-2026-4711")
    rechnung.refresh_from_db()
    assert rechnung.status == RechnungStatus.ZUR_ZAHLUNG and rechnung.zahlungslauf == run

    table = kasse.get(f"/intern/rechnungen/zahlungslaeufe/{run.pk}/zahlungen.csv")
    text = b"".join(table.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Eingangsnummer;Rechnungsnummer")
    assert rechnung.eingangsnummer in text.splitlines()[1]
