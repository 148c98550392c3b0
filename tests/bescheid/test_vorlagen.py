"""Bescheid templates: the sandbox (only allowed tags and filters, autoescape, only the context
given), the JSON import (all or nothing, hostile files) and export, the demo templates."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from amtsfluss.akte.models import Vertraulichkeit
from amtsfluss.akte.services.akte import check_akte_create
from amtsfluss.akte.services.vorgang import vorgang_create
from amtsfluss.bescheid.demo import create_bescheid_demo, vorlagen_bytes
from amtsfluss.bescheid.models import BescheidVorlage
from amtsfluss.bescheid.printing import bescheid_html
from amtsfluss.bescheid.sandbox import MAX_TEMPLATE_CHARS, check_template, render_sandboxed
from amtsfluss.bescheid.services.bescheid import bescheid_create
from amtsfluss.bescheid.services.vorlage_io import (
    VorlagenImportError,
    vorlagen_export,
    vorlagen_import,
)
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import Membership, Role
from tests.bescheid.conftest import BescheidWorld, antrag_create, as_, fee_claimed
from tests.conftest import make_user
from tests.dienste.conftest import GEWERBE, URKUNDE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.mark.parametrize(
    ("source", "named"),
    [
        ("{% load static %}", "load"),
        ('{% include "web/base.html" %}', "include"),
        ('{% extends "web/base.html" %}', "extends"),
        ("{% block x %}{% endblock %}", "block"),
        ("{% autoescape off %}{{ x }}{% endautoescape %}", "autoescape"),
        ("{% url 'healthz' %}", "url"),
        ("{% csrf_token %}", "csrf_token"),
        ("{% debug %}", "debug"),
        ("{% verbatim %}{% endverbatim %}", "verbatim"),
        ("{% comment %}{% load i18n %}{% endcomment %}", "load"),
        ("{{ x|safe }}", "safe"),
        ("{{ x | safeseq }}", "safeseq"),
        ("{{ x|pprint }}", "pprint"),
        ('{{ x|default:"a"|escape }}', "escape"),
    ],
)
def test_the_sandbox_refuses_tags_and_filters_outside_its_list(source: str, named: str) -> None:
    with pytest.raises(ServiceError, match=f"“{named}” is not allowed"):
        check_template(source)


def test_the_sandbox_escapes_and_sees_only_its_context() -> None:
    html = render_sandboxed(
        "{% for u in liste %}<b>{{ u.name|upper }}</b> {{ u.betrag|euro }}{% endfor %}"
        " {{ datum|datum }} [{{ settings.SECRET_KEY }}{{ request.user }}]",
        {
            "liste": [{"name": "<script>x</script>", "betrag": Decimal("1234.5")}],
            "datum": "2026-01-31",
        },
    )
    assert html == "<b>&lt;SCRIPT&gt;X&lt;/SCRIPT&gt;</b> 1.234,50 € 31.01.2026 []"


def test_broken_and_oversized_templates_are_refused() -> None:
    with pytest.raises(ServiceError, match="has an error"):
        check_template("{% if %}")
    with pytest.raises(ServiceError, match="has an error"):
        check_template("{% for x in y %}")
    with pytest.raises(ServiceError, match="longer than"):
        check_template("x" * (MAX_TEMPLATE_CHARS + 1))
    with pytest.raises(ServiceError, match="too long"):
        render_sandboxed(
            "{% for a in n %}{% for b in n %}{{ t }}{% endfor %}{% endfor %}",
            {"n": list(range(300)), "t": "x" * 10},
        )


def _document(**changes: object) -> dict[str, object]:
    document = json.loads(vorlagen_bytes())
    document["vorlagen"][0].update(changes)
    return document


def _import(bw: BescheidWorld, document: object, mandant: object = None) -> int:
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    return vorlagen_import(mandant=mandant or bw.w.a, data=data, by=None)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe", "not valid JSON"),
        (b'{"format": 1, "vorlagen": [], "format": 1}', "repeated"),
        (b'{"format": 1.0, "vorlagen": []}', "decimals"),
        (b'{"format": 2, "vorlagen": []}', '"format": 1'),
        (b'{"format": 1, "vorlagen": {}}', "expected a list"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
        (b" " * 1_000_001, "larger than"),
    ],
)
def test_hostile_files_are_refused_whole(bw: BescheidWorld, data: bytes, message: str) -> None:
    before = list(BescheidVorlage.objects.values_list("koerper", flat=True))
    with pytest.raises(VorlagenImportError, match=message):
        _import(bw, data)
    assert list(BescheidVorlage.objects.values_list("koerper", flat=True)) == before


def test_one_bad_entry_refuses_the_whole_file_with_paths(bw: BescheidWorld) -> None:
    document = _document(titel="Neu")
    document["vorlagen"][1].update(koerper="{% load static %}")
    document["vorlagen"].append({"leika": "99999999999999", "titel": "x", "koerper": "", "y": 1})
    with pytest.raises(VorlagenImportError) as caught:
        _import(bw, document)
    problems = caught.value.problems
    assert any(p.startswith("$.vorlagen[1].koerper: Line 1: the tag “load”") for p in problems)
    assert "$.vorlagen[2]: unknown key y." in problems
    assert "$.vorlagen[2].leika: no Leistung 99999999999999." in problems
    assert not BescheidVorlage.objects.filter(titel="Neu").exists()


def test_another_mandants_leistung_is_unknown(bw: BescheidWorld) -> None:
    with pytest.raises(VorlagenImportError, match="no Leistung"):
        _import(bw, json.loads(vorlagen_bytes()), mandant=bw.w.b)
    assert not BescheidVorlage.objects.filter(mandant=bw.w.b).exists()


def test_export_and_import_round_trip_changes_in_place(bw: BescheidWorld) -> None:
    exported = vorlagen_export(mandant=bw.w.a)

    def by_leika(data: bytes) -> list[dict[str, str]]:
        return sorted(json.loads(data)["vorlagen"], key=lambda entry: entry["leika"])

    assert json.loads(exported)["format"] == 1
    assert by_leika(exported) == by_leika(vorlagen_bytes())
    assert _import(bw, _document(titel="Geänderter Titel")) == 2
    assert BescheidVorlage.objects.count() == 2
    assert BescheidVorlage.objects.get(leistung__leika_schluessel=URKUNDE).titel == (
        "Geänderter Titel"
    )


def test_demo_step_loads_templates_and_names_an_amtsleitung_for_the_standesamt(
    bw: BescheidWorld,
) -> None:
    BescheidVorlage.objects.all().delete()
    create_bescheid_demo(bw.w.a, {"amtsleitung": bw.w.head})
    assert set(BescheidVorlage.objects.values_list("leistung__leika_schluessel", flat=True)) == {
        URKUNDE,
        GEWERBE,
    }
    assert Membership.objects.filter(
        user=bw.w.head, unit=bw.w.units["34"], role=Role.AMTSLEITUNG
    ).exists()


def test_urkunden_template_lists_each_ordered_certificate(bw: BescheidWorld) -> None:
    w = bw.w
    standesamt = make_user(w.a, "standesamt", w.units["34"], Role.SACHBEARBEITUNG)
    akte = check_akte_create(
        principal=as_(standesamt),
        position=bw.katalog.positions["1.6.5"],
        titel="Urkundenbestellungen",
        federfuehrende_oe=w.units["34"],
        vertraulichkeit=Vertraulichkeit.OFFEN,
    )
    vorgang = vorgang_create(principal=as_(standesamt), akte=akte, betreff="Urkunden Mustermann")
    antrag = antrag_create(vorgang, bw.urkunde, URKUNDE_DATEN)
    antrag.wiederholungen = {"urkunden": 2}
    antrag.save()
    forderung = fee_claimed(vorgang)
    bescheid = bescheid_create(principal=as_(standesamt), vorgang=vorgang, leistung=bw.urkunde)
    html = bescheid_html(bescheid)
    assert "<td>Geburtsurkunde</td><td>Erika Mustermann (geb. Gabler)</td>" in html
    assert "(geb. Gabler)</td><td>12.08.1964</td>" in html
    assert "<td>Eheurkunde</td><td>Erika und Hans Mustermann</td><td>01.06.1990</td>" in html
    assert "<td>G 123/1964</td><td>2</td>" in html and "<td>–</td><td>1</td>" in html
    assert "Gebühr von 26,00 €" in html and forderung.kassenzeichen in html
    assert "<svg" in html and "GiroCode" in html  # the Kasse's code with its text alternative
    assert "Zustellung der Urkunden: Ich hole sie im Standesamt ab." in html
    assert "Entwurf – nicht schlussgezeichnet" in html


URKUNDE_DATEN = {
    "urkunden-0-art": "geburt",
    "urkunden-0-anzahl": "2",
    "urkunden-0-personen": "Erika Mustermann",
    "urkunden-0-geburtsname": "Gabler",
    "urkunden-0-datum": "12.08.1964",
    "urkunden-0-registernummer": "G 123/1964",
    "urkunden-1-art": "ehe",
    "urkunden-1-anzahl": "1",
    "urkunden-1-personen": "Erika und Hans Mustermann",
    "urkunden-1-datum": "01.06.1990",
    "vorname": "Erika",
    "nachname": "Mustermann",
    "geburtsdatum": "12.08.1964",
    "anschrift-strasse": "Heidestraße 17",
    "anschrift-plz": "51147",
    "anschrift-ort": "Köln",
    "email": "erika@example.org",
    "berechtigung": "selbst",
    "versand": "abholung",
}


def test_the_command_exports_and_imports_all_or_nothing(bw: BescheidWorld, tmp_path: Path) -> None:
    target = tmp_path / "vorlagen.json"
    call_command("bescheid", "export", "--mandant", "a", "-o", str(target))
    document = json.loads(target.read_bytes())
    assert len(document["vorlagen"]) == 2
    document["vorlagen"][0]["titel"] = "Neu"
    document["vorlagen"][1]["koerper"] = "{% include 'x' %}"
    target.write_text(json.dumps(document))
    errors = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("bescheid", "import", str(target), "--mandant", "a", stderr=errors)
    assert "“include” is not allowed" in errors.getvalue()
    assert not BescheidVorlage.objects.filter(titel="Neu").exists()
    document["vorlagen"][1]["koerper"] = "<p>{{ betreff }}</p>"
    target.write_text(json.dumps(document))
    out = io.StringIO()
    call_command("bescheid", "import", str(target), "--mandant", "a", stdout=out)
    assert "2 Bescheid template(s) imported" in out.getvalue()
    assert BescheidVorlage.objects.filter(titel="Neu").count() == 1
