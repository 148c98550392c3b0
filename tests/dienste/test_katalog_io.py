"""Import and export of the catalogue: the demo file, the round trip, hostile files (every
problem named with its JSON path, translated, and nothing half-written), the command."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from amtsfluss.core.models import AuditEvent
from amtsfluss.dienste.models import Formularversion, Leistung, LeistungLebenslage
from amtsfluss.dienste.services.katalog_io import (
    KatalogImportError,
    katalog_export,
    katalog_import,
)
from tests.dienste.conftest import GEWERBE, URKUNDE, Katalog, as_bytes, demo_document

pytestmark = pytest.mark.django_db


def _problems(katalog: Katalog, document: object) -> list[str]:
    data = document if isinstance(document, bytes) else as_bytes(document)
    with pytest.raises(KatalogImportError) as caught:
        katalog_import(mandant=katalog.w.a, data=data, by=None)
    assert Leistung.objects.count() == 0 and Formularversion.objects.count() == 0
    assert LeistungLebenslage.objects.count() == 0
    return caught.value.problems


def test_demo_catalogue_imports_with_published_forms(katalog: Katalog, english: None) -> None:
    result = katalog_import(mandant=katalog.w.a, data=as_bytes(demo_document()), by=None)
    assert (result.created, result.changed, result.versions) == (2, 0, 2)
    urkunde = Leistung.objects.get(leika_schluessel=URKUNDE)
    assert urkunde.zustaendige_oe.code == "34" and urkunde.aktenplanposition.kennzeichen == "1.6.5"
    assert "geburtsurkunde" in urkunde.suchtext
    assert Formularversion.objects.filter(veroeffentlicht_am__isnull=False).count() == 2
    assert AuditEvent.objects.filter(action="dienste.katalog.import").count() == 1


def test_reimport_changes_in_place_and_versions_only_changed_forms(
    katalog: Katalog, english: None
) -> None:
    document = demo_document()
    katalog_import(mandant=katalog.w.a, data=as_bytes(document), by=None)
    again = katalog_import(mandant=katalog.w.a, data=as_bytes(document), by=None)
    assert (again.created, again.changed, again.versions) == (0, 2, 0)
    document["leistungen"][1]["formular"]["title"] = "Gewerbeanmeldung, Fassung 2"
    document["leistungen"][1]["name"] = "Gewerbe anmelden"
    third = katalog_import(mandant=katalog.w.a, data=as_bytes(document), by=None)
    assert third.versions == 1
    gewerbe = Leistung.objects.get(leika_schluessel=GEWERBE)
    assert gewerbe.name == "Gewerbe anmelden"
    assert list(gewerbe.formular.versionen.values_list("nummer", flat=True)) == [1, 2]


def test_export_round_trips_into_another_mandant(katalog: Katalog, english: None) -> None:
    katalog_import(mandant=katalog.w.a, data=as_bytes(demo_document()), by=None)
    exported = katalog_export(mandant=katalog.w.a)
    assert exported == katalog_export(mandant=katalog.w.a)
    document = demo_document()
    for entry in document["leistungen"]:
        entry.pop("formular")
    assert b'"leika": "99102013104000"' in exported
    from amtsfluss.core.services.organisation import unit_create

    w = katalog.w
    unit_create(mandant=w.b, code="34", name="Standesamt B", kind="fachbereich", by=None)
    unit_create(mandant=w.b, code="32.1", name="Gewerbe B", kind="abteilung", by=None)
    from amtsfluss.akte.services.aktenplan import position_create

    position_create(mandant=w.b, kennzeichen="1.6", titel="x", by=None)
    position_create(mandant=w.b, kennzeichen="1.6.5", titel="y", by=None)
    katalog_import(mandant=w.b, data=exported, by=None)
    assert katalog_export(mandant=w.b) == exported


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda e: e.update(leika="9910201310400"), "$.leistungen[0].leika: The LeiKa key must"),
        (lambda e: e.update(leika="99102013104OOO"), "exactly 14 digits"),
        (lambda e: e.update(leika="٩٩١٠٢٠١٣١٠٤٠٠٠"), "exactly 14 digits"),
        (lambda e: e.update(oe="99"), "$.leistungen[0].oe: there is no unit with the code '99'"),
        (lambda e: e.update(aktenplan="7.7.7"), "$.leistungen[0].aktenplan: there is no Aktenplan"),
        (lambda e: e.update(aktenplan="1.6"), "1.6 is none."),
        (lambda e: e.update(lebenslagen=["mond"]), "Unknown Lebenslage(n) 'mond'"),
        (lambda e: e.update(name="A\x00B"), "$.leistungen[0].name: A name of 1 to 200"),
        (lambda e: e.update(name="x" * 201), "$.leistungen[0].name"),
        (lambda e: e.update(extra=1), "unknown key(s) 'extra'"),
        (lambda e: e.pop("gebuehr"), "$.leistungen[0].gebuehr: is required."),
        (
            lambda e: e.update(gebuehr={"kind": "fixed", "amount": "12"}),
            "$.leistungen[0].gebuehr.amount",
        ),
        (
            lambda e: e["gebuehr"].update(count="anzahl"),
            "$.leistungen[0].gebuehr.count: the field 'anzahl' lies in a group",
        ),
        (
            lambda e: e["formular"]["steps"][0].update(id="A"),
            "$.leistungen[0].formular.steps[0].id",
        ),
        (lambda e: e.update(bearbeitungsdauer_tage=True), "whole number of days"),
        (lambda e: e.update(schlagworte="Urkunde"), "$.leistungen[0].schlagworte: must be a list"),
    ],
)
def test_hostile_entries_are_refused_whole(
    katalog: Katalog, english: None, change: object, expected: str
) -> None:
    document = demo_document()
    change(document["leistungen"][0])  # type: ignore[operator]
    problems = _problems(katalog, document)
    assert any(expected in problem for problem in problems), problems


def test_a_bad_last_entry_keeps_the_good_first_one_out(katalog: Katalog, english: None) -> None:
    document = demo_document()
    document["leistungen"][1]["oe"] = "nope"
    assert any("$.leistungen[1].oe" in p for p in _problems(katalog, document))


def test_duplicate_keys_in_the_file(katalog: Katalog, english: None) -> None:
    document = demo_document()
    document["leistungen"][1]["leika"] = URKUNDE
    problems = _problems(katalog, document)
    assert any("the LeiKa key 99102013104000 appears already in entry 1" in p for p in problems)
    twice = b'{"format": 1, "format": 1, "leistungen": []}'
    assert any("the key 'format' appears twice" in p for p in _problems(katalog, twice))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xff\xfe{", "not encoded as UTF-8"),
        (b'{"format": 1, "leistungen": [', "The JSON is malformed in line 1"),
        (b"[" * 100_000, "nested too deeply"),
        (b'{"format": 1.0, "leistungen": []}', "write decimal numbers as text"),
        (b'{"format": NaN}', "write decimal numbers as text"),
        (b'{"format": 1, "leistungen": []}', "a list of 1 to 2000 entries"),
        (b"[]", '{"format": 1, "leistungen": […]} is required'),
        (b" " * (4 * 1024 * 1024 + 1), "larger than the limit"),
    ],
)
def test_hostile_files(katalog: Katalog, english: None, data: bytes, expected: str) -> None:
    assert any(expected in problem for problem in _problems(katalog, data))


def test_messages_are_translated(katalog: Katalog) -> None:
    document = demo_document()
    document["leistungen"][0]["leika"] = "123"
    with translation.override("de"):
        problems = _problems(katalog, document)
    assert any("genau 14 Ziffern" in problem for problem in problems), problems


def test_command_import_export(katalog: Katalog, tmp_path: Path, english: None) -> None:
    source = tmp_path / "katalog.json"
    source.write_bytes(as_bytes(demo_document()))
    out = io.StringIO()
    call_command("dienste", "import", str(source), "--mandant", "a", stdout=out)
    assert "2 created" in out.getvalue()
    target = tmp_path / "export.json"
    call_command("dienste", "export", "--mandant", "a", "-o", str(target), stderr=io.StringIO())
    assert target.read_bytes() == katalog_export(mandant=katalog.w.a)
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": 1, "leistungen": [{"leika": "1"}]}', encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("dienste", "import", str(bad), "--mandant", "a", stderr=err)
    assert "$.leistungen[0].name: is required." in err.getvalue()
