"""The E-Akte demo data: the Musterstadt Aktenplan and the lived-in Akten of the demo users."""

from __future__ import annotations

import io
import json
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from amtsfluss.akte.demo import AKTEN, DEMO_POSITIONS, aktenplan_bytes
from amtsfluss.akte.models import (
    Akte,
    Aktenplanposition,
    AktenStatus,
    AktenzeichenRegel,
    Beteiligter,
    Dokument,
    Dokumentversion,
    Vertraulichkeit,
    Vorgang,
    VorgangStatus,
    Wiedervorlage,
)
from amtsfluss.akte.selectors.inbox import InboxView, due_wiedervorlagen, inbox_page
from amtsfluss.akte.services.aktenplan_io import aktenplan_export
from amtsfluss.core import audit
from amtsfluss.core.demo import DEMO_SLUG, UNITS, create_demo
from amtsfluss.core.models import AuditEvent, Mandant, User
from amtsfluss.core.permissions import Principal
from amtsfluss.core.services.blobs import blob_open
from amtsfluss.core.text_pdf import text_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> Mandant:
    out = io.StringIO()
    call_command("demo", stdout=out)  # the command imports every app's demo module
    assert "Demo-Mandant Musterstadt" in out.getvalue()
    return Mandant.objects.get(slug=DEMO_SLUG)


def pdf_problems(data: bytes) -> list[str]:
    """A structural check of a classic (xref table) PDF: header, objects where the table says,
    stream length, trailer and startxref. No PDF library is needed for our own small files."""
    problems = []
    if not data.startswith(b"%PDF-1.4\n") or not data.endswith(b"%%EOF\n"):
        problems.append("header or end marker")
    startxref = int(re.findall(rb"startxref\n(\d+)\n%%EOF", data)[-1])
    if not data[startxref:].startswith(b"xref\n"):
        problems.append("startxref does not point at the table")
    table = re.match(rb"xref\n0 (\d+)\n((?:\d{10} \d{5} [fn] \n)+)", data[startxref:])
    if table is None:
        return [*problems, "malformed xref table"]
    entries = table.group(2).split(b" \n")[:-1]
    if len(entries) != int(table.group(1)):
        problems.append("xref count")
    for number, entry in enumerate(entries[1:], 1):
        offset = int(entry[:10])
        if not data[offset:].startswith(b"%d 0 obj\n" % number):
            problems.append(f"object {number} is not at {offset}")
    stream = re.search(rb"<< /Length (\d+) >>\nstream\n(.*?)\nendstream", data, re.DOTALL)
    if stream is None or int(stream.group(1)) != len(stream.group(2)):
        problems.append("stream length")
    if b"/Root 1 0 R" not in data[startxref:]:
        problems.append("trailer without root")
    return problems


def test_demo_pdf_is_a_well_formed_pdf() -> None:
    pdf = text_pdf(["Bürgeramt (Zimmer 3) \\ Straße", "Ünïcödé ✓ 漢字"])
    assert pdf_problems(pdf) == []
    assert b"(B\xfcrgeramt \\(Zimmer 3\\) \\\\ Stra\xdfe) Tj" in pdf  # WinAnsi, escaped
    assert b"(\xdcn\xefc\xf6d\xe9 ? ??) Tj" in pdf  # outside Windows-1252: '?'
    assert text_pdf(["a"]) == text_pdf(["a"])  # same text, same bytes: one blob


def test_the_demo_aktenplan_is_a_realistic_municipal_plan() -> None:
    rows = json.loads(aktenplan_bytes())
    assert 250 <= len(rows) <= 400
    by_kennzeichen = {row["kennzeichen"]: row for row in rows}
    assert [row["kennzeichen"] for row in rows if "." not in row["kennzeichen"]] == [
        str(n) for n in range(10)
    ]
    assert {k.count(".") + 1 for k in by_kennzeichen} == {1, 2, 3, 4}
    parents = {row["parent"] for row in rows}
    leaves = [row for row in rows if row["kennzeichen"] not in parents]
    unit_codes = {code for code, *_ in UNITS}
    for row in rows:
        assert row["oe"] in unit_codes, row
        assert row["titel"].strip() == row["titel"] and row["titel"]
    for leaf in leaves:
        assert leaf["aufbewahrung"] == "dauernd" or 1 <= int(leaf["aufbewahrung"]) <= 200, leaf
        assert leaf["archiv"] in {"A", "B", "V"}, leaf
    for inner in (row for row in rows if row["kennzeichen"] in parents):
        assert (inner["aufbewahrung"], inner["archiv"]) == ("", ""), inner
    retention = Counter(leaf["aufbewahrung"] for leaf in leaves)
    assert {"6", "10", "30", "dauernd"} <= set(retention)
    # what other modules file into
    expected_units = {
        "gewerbeanzeigen": "32.1",
        "personenstandsurkunden": "34",
        "eingangsrechnungen": "20.2",
        "zahlungsverkehr": "20.2",
        "auszahlungsanordnungen": "20.2",
        "haushaltsvollzug": "20.1",
        "baugenehmigungen_wohngebaeude": "63.1",
        "baugenehmigungen_gewerbe": "63.1",
    }
    assert {name: by_kennzeichen[k]["oe"] for name, k in DEMO_POSITIONS.items()} == expected_units
    assert all(by_kennzeichen[k] in leaves for k in DEMO_POSITIONS.values())
    titles = {row["titel"] for row in rows}
    assert "Hauptsatzung" in titles and "Geburtenregister" in titles
    for title in ("Hauptsatzung", "Niederschriften der Ratssitzungen", "Geburtenregister"):
        assert next(r for r in rows if r["titel"] == title)["aufbewahrung"] == "dauernd"


def test_demo_creates_the_aktenplan_and_akten_through_the_services(demo: Mandant) -> None:
    plan = json.loads(aktenplan_bytes())
    assert Aktenplanposition.objects.filter(mandant=demo).count() == len(plan)
    assert aktenplan_export(mandant=demo, fmt="json") == aktenplan_bytes()  # nothing lost
    assert not AktenzeichenRegel.objects.filter(mandant=demo).exists()  # the default rule
    [imported] = AuditEvent.objects.filter(mandant=demo, action="aktenplan.import")
    assert imported.actor_label == "registratur"
    assert imported.details["created"] == len(plan)

    akten = Akte.objects.filter(mandant=demo).select_related("federfuehrende_oe", "created_by")
    assert akten.count() == len(AKTEN) == 20
    assert Counter(a.federfuehrende_oe.code for a in akten) == {"32.1": 9, "34": 5, "63.1": 6}
    assert all(a.aktenzeichen.startswith(f"{a.federfuehrende_oe.code}-") for a in akten)
    assert akten.filter(vertraulichkeit=Vertraulichkeit.VERTRAULICH).count() == 5
    [closed] = akten.filter(status=AktenStatus.ZDA)
    assert closed.geschlossen_am == timezone.localdate()
    assert closed.aufbewahren_bis == timezone.localdate().replace(
        year=timezone.localdate().year + 10, month=12, day=31
    )
    assert not Vorgang.objects.filter(akte=closed).exclude(status=VorgangStatus.ERLEDIGT).exists()
    assert Beteiligter.objects.filter(mandant=demo).count() >= 20
    assert {a.created_by.username for a in akten} == {
        "sachbearbeitung",
        "standesamt",
        "bauordnung",
    }
    # every change went through the services: audited, and the chain holds
    actions = Counter(AuditEvent.objects.filter(mandant=demo).values_list("action", flat=True))
    assert actions["akte.create"] == 20
    assert actions["dokument.create"] == Dokument.objects.filter(mandant=demo).count() >= 40
    assert actions["akte.zda"] == 1
    assert actions["wiedervorlage.create"] == 3
    assert actions["akte.beteiligter_add"] == Beteiligter.objects.filter(mandant=demo).count()
    assert actions["aktenplan.position_create"] == len(plan)
    assert audit.verify() == []


def test_the_demo_clerk_finds_work_in_the_inbox(demo: Mandant) -> None:
    today = timezone.localdate()
    clerk = Principal.for_user(User.objects.get(username="sachbearbeitung"))

    mine = inbox_page(principal=clerk, view=InboxView.MINE)
    unit = inbox_page(principal=clerk, view=InboxView.UNIT)
    assert mine.total >= 3 and unit.total >= 3
    fristen = [v.frist for v in mine.vorgaenge + unit.vorgaenge if v.frist]
    assert today in fristen
    assert any(frist < today for frist in fristen)  # overdue
    due = due_wiedervorlagen(principal=clerk)
    assert len(due) >= 2
    assert all(w.faellig_am == today and w.fuer_user_id == clerk.user.pk for w in due)
    assert any(w.akte is not None and w.akte.vertraulichkeit == "vertraulich" for w in due)

    bau = Principal.for_user(User.objects.get(username="bauordnung"))
    assert inbox_page(principal=bau).total >= 5
    assert len(due_wiedervorlagen(principal=bau)) == 1
    standesamt = Principal.for_user(User.objects.get(username="standesamt"))
    assert inbox_page(principal=standesamt, view=InboxView.UNIT).total >= 2
    assert Wiedervorlage.objects.filter(mandant=demo, faellig_am=today).count() == 3


def test_demo_dokumente_are_real_small_pdfs(demo: Mandant) -> None:
    versions = Dokumentversion.objects.filter(mandant=demo).select_related("blob", "dokument")
    assert versions.count() == Dokument.objects.filter(mandant=demo).count()
    for version in versions:
        assert (version.media_type, version.ist_aktuell) == ("application/pdf", True)
        assert version.dateiname.endswith(".pdf")
        with blob_open(blob=version.blob) as reader:
            data = reader.read_all()
        assert len(data) < 2000
        assert pdf_problems(data) == [], version.dateiname
        assert b"Stadt Musterstadt" in data


def test_demo_step_runs_once_with_create_demo() -> None:
    mandant = create_demo(hosts=["demo.test"])
    assert Akte.objects.filter(mandant=mandant).count() == len(AKTEN)
    assert User.objects.filter(username="bauordnung", mandant=mandant).exists()
