"""The demo municipality "Musterstadt": units, one user per role, a platform operator.

Later modules add their demo data through ``DEMO_STEPS`` (a list of callables).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from amtsfluss.core.models import Mandant, Organisationseinheit, Role, UnitKind, User
from amtsfluss.core.services.mandant import mandant_create
from amtsfluss.core.services.organisation import membership_grant, unit_create
from amtsfluss.core.services.users import platform_operator_create, staff_user_create

DEMO_SLUG = "musterstadt"
DEMO_PASSWORD = "Musterstadt-Demo-2026"  # noqa: S105 — printed at start, demo only

# (code, name, kind, parent code)
UNITS: list[tuple[str, str, str, str | None]] = [
    ("I", "Dezernat I – Bürgermeister", UnitKind.DEZERNAT, None),
    ("10", "Haupt- und Personalamt", UnitKind.FACHBEREICH, "I"),
    ("10.1", "Organisation und IT", UnitKind.ABTEILUNG, "10"),
    ("10.1.1", "Zentrale Registratur", UnitKind.SACHGEBIET, "10.1"),
    ("10.2", "Personal", UnitKind.ABTEILUNG, "10"),
    ("11", "Datenschutz und Informationssicherheit", UnitKind.FACHBEREICH, "I"),
    ("14", "Rechnungsprüfungsamt", UnitKind.FACHBEREICH, "I"),
    ("II", "Dezernat II – Finanzen, Ordnung, Bürgerservice", UnitKind.DEZERNAT, None),
    ("20", "Kämmerei", UnitKind.FACHBEREICH, "II"),
    ("20.1", "Haushalt und Controlling", UnitKind.ABTEILUNG, "20"),
    ("20.2", "Stadtkasse", UnitKind.ABTEILUNG, "20"),
    ("32", "Ordnungsamt", UnitKind.FACHBEREICH, "II"),
    ("32.1", "Gewerbeangelegenheiten", UnitKind.ABTEILUNG, "32"),
    ("32.2", "Straßenverkehr", UnitKind.ABTEILUNG, "32"),
    ("33", "Bürgeramt", UnitKind.FACHBEREICH, "II"),
    ("33.1", "Meldewesen und Ausweise", UnitKind.ABTEILUNG, "33"),
    ("34", "Standesamt", UnitKind.FACHBEREICH, "II"),
    ("III", "Dezernat III – Soziales, Jugend, Bildung", UnitKind.DEZERNAT, None),
    ("40", "Schul- und Sportamt", UnitKind.FACHBEREICH, "III"),
    ("50", "Sozialamt", UnitKind.FACHBEREICH, "III"),
    ("51", "Jugendamt", UnitKind.FACHBEREICH, "III"),
    ("IV", "Dezernat IV – Bauen und Umwelt", UnitKind.DEZERNAT, None),
    ("60", "Bauverwaltung", UnitKind.FACHBEREICH, "IV"),
    ("61", "Stadtplanung", UnitKind.FACHBEREICH, "IV"),
    ("63", "Bauordnung", UnitKind.FACHBEREICH, "IV"),
    ("63.1", "Baugenehmigungen", UnitKind.ABTEILUNG, "63"),
    ("66", "Tiefbau", UnitKind.FACHBEREICH, "IV"),
    ("70", "Umwelt und Grünflächen", UnitKind.FACHBEREICH, "IV"),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str
    unit: str


USERS = [
    DemoUser("sachbearbeitung", "Sabine", "Sachs", Role.SACHBEARBEITUNG, "32.1"),
    DemoUser("amtsleitung", "Armin", "Leitner", Role.AMTSLEITUNG, "32"),
    DemoUser("registratur", "Regina", "Akten", Role.REGISTRATUR, "10.1.1"),
    DemoUser("rechnungspruefung", "Rudi", "Prüfer", Role.RECHNUNGSPRUEFUNG, "14"),
    DemoUser("kasse", "Karla", "Kassner", Role.KASSE, "20.2"),
    DemoUser("datenschutz", "Dana", "Schutz", Role.DATENSCHUTZ, "11"),
    DemoUser("fachadministration", "Fabian", "Admin", Role.FACHADMINISTRATION, "10.1"),
    DemoUser("standesamt", "Stefanie", "Standl", Role.SACHBEARBEITUNG, "34"),
    DemoUser("bauordnung", "Bernd", "Baumann", Role.SACHBEARBEITUNG, "63.1"),
]
OPERATOR = "betrieb"

#: Further demo data of later modules: each step gets the Mandant and the users by name.
DEMO_STEPS: list[Callable[[Mandant, dict[str, User]], None]] = []


def demo_exists() -> bool:
    return Mandant.objects.filter(slug=DEMO_SLUG).exists()


@transaction.atomic
def create_demo(*, hosts: list[str]) -> Mandant:
    autodiscover_modules("demo")  # each app's demo module appends its step to DEMO_STEPS
    mandant = mandant_create(
        slug=DEMO_SLUG, name="Stadt Musterstadt", hosts=hosts, is_default=True, by=None
    )
    units: dict[str, Organisationseinheit] = {}
    for code, name, kind, parent in UNITS:
        units[code] = unit_create(
            mandant=mandant,
            code=code,
            name=name,
            kind=kind,
            parent=units[parent] if parent else None,
            by=None,
        )
    users: dict[str, User] = {}
    for demo in USERS:
        user = staff_user_create(
            mandant=mandant,
            username=demo.username,
            password=DEMO_PASSWORD,
            first_name=demo.first_name,
            last_name=demo.last_name,
            email=f"{demo.username}@musterstadt.example",
            by=None,
        )
        membership_grant(user=user, unit=units[demo.unit], role=demo.role, by=None)
        users[demo.username] = user
    if not User.objects.filter(username=OPERATOR).exists():
        platform_operator_create(username=OPERATOR, password=DEMO_PASSWORD, by=None)
    for step in DEMO_STEPS:
        step(mandant, users)
    return mandant


def demo_banner(base_url: str) -> str:
    width = max(len(u.username) for u in USERS)
    lines = [
        f"Demo-Mandant Musterstadt: {base_url}",
        f"Anmeldung: {base_url}anmelden/   Passwort für alle Demo-Konten: {DEMO_PASSWORD}",
    ]
    lines += [f"  {u.username:<{width}}  {Role(u.role).label} ({u.unit})" for u in USERS]
    lines.append(f"  {OPERATOR:<{width}}  Plattformbetrieb (IT-Dienstleister)")
    return "\n".join(lines)
