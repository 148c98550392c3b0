"""The Leistungskatalog: a Leistung is created or changed with every rule checked here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from amtsfluss.akte.models import Aktenplanposition
from amtsfluss.core import audit
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import Mandant, Organisationseinheit, User
from amtsfluss.dienste import gebuehren
from amtsfluss.dienste.formdef.cleaning import has_forbidden_characters
from amtsfluss.dienste.formdef.model import Definition
from amtsfluss.dienste.formdef.problems import DefinitionError
from amtsfluss.dienste.leika import validate_leika
from amtsfluss.dienste.models import Lebenslage, Leistung, LeistungLebenslage
from amtsfluss.dienste.text import fold

MAX_NAME = 200
MAX_DESCRIPTION = 10_000
MAX_LIST = 50
MAX_LIST_ITEM = 500
MAX_DAYS = 3650


@dataclass(frozen=True)
class LeistungDaten:
    """What a Leistung consists of, with the unit and position already looked up."""

    leika_schluessel: str
    name: str
    zustaendige_oe: Organisationseinheit
    aktenplanposition: Aktenplanposition
    gebuehr: dict[str, Any]
    beschreibung: str = ""
    schlagworte: list[str] = field(default_factory=list)
    lebenslagen: list[str] = field(default_factory=list)
    unterlagen: list[str] = field(default_factory=list)
    rechtsgrundlagen: list[str] = field(default_factory=list)
    bearbeitungsdauer_tage: int | None = None
    veroeffentlicht: bool = False


def leistung_problems(
    daten: LeistungDaten, *, mandant: Mandant, definition: Definition | None
) -> list[tuple[str, str]]:
    """Every rule the data breaks, as (field, translated message); empty if none."""
    problems: list[tuple[str, str]] = []
    try:
        validate_leika(daten.leika_schluessel)
    except ServiceError as exc:
        problems.append(("leika", exc.message))
    name = daten.name.strip()
    if not name or len(name) > MAX_NAME or has_forbidden_characters(name):
        problems.append(
            (
                "name",
                _("A name of 1 to %d characters without control characters is required.")
                % MAX_NAME,
            )
        )
    if len(daten.beschreibung) > MAX_DESCRIPTION or has_forbidden_characters(
        daten.beschreibung, multiline=True
    ):
        problems.append(
            (
                "beschreibung",
                _("At most %d characters without control characters are allowed.")
                % MAX_DESCRIPTION,
            )
        )
    for key in ("schlagworte", "unterlagen", "rechtsgrundlagen"):
        items = getattr(daten, key)
        if len(items) > MAX_LIST or any(
            not item.strip() or len(item) > MAX_LIST_ITEM or has_forbidden_characters(item)
            for item in items
        ):
            problems.append(
                (
                    key,
                    _("At most %(count)d entries of 1 to %(length)d characters are allowed.")
                    % {"count": MAX_LIST, "length": MAX_LIST_ITEM},
                )
            )
    unknown = [code for code in daten.lebenslagen if code not in Lebenslage.values]
    if unknown:
        problems.append(
            (
                "lebenslagen",
                _("Unknown Lebenslage(n) %(unknown)s; known are: %(known)s.")
                % {
                    "unknown": ", ".join(repr(c[:30]) for c in unknown[:5]),
                    "known": ", ".join(Lebenslage.values),
                },
            )
        )
    problems += _place_problems(daten, mandant)
    if (
        daten.bearbeitungsdauer_tage is not None
        and not 1 <= daten.bearbeitungsdauer_tage <= MAX_DAYS
    ):
        problems.append(
            ("bearbeitungsdauer_tage", _("The processing time must be 1 to %d days.") % MAX_DAYS)
        )
    try:
        gebuehren.check_rule(daten.gebuehr, definition=definition, path="$.gebuehr")
    except DefinitionError as exc:
        problems += [("gebuehr", problem) for problem in exc.problems]
    return problems


def _place_problems(daten: LeistungDaten, mandant: Mandant) -> list[tuple[str, str]]:
    problems = []
    if daten.zustaendige_oe.mandant_id != mandant.pk:
        problems.append(("oe", _("The unit belongs to another Mandant.")))
    position = daten.aktenplanposition
    if position.mandant_id != mandant.pk:
        problems.append(("aktenplan", _("The Aktenplan position belongs to another Mandant.")))
    elif not position.is_leaf or not position.is_active:
        problems.append(
            (
                "aktenplan",
                _("Vorgänge are filed only at active leaves of the Aktenplan; %s is none.")
                % position.kennzeichen,
            )
        )
    return problems


def leistung_save(
    *, mandant: Mandant, daten: LeistungDaten, definition: Definition | None, by: User | None
) -> tuple[Leistung, bool]:
    """Create the Leistung with this LeiKa key, or change the Mandant's existing one.

    ``definition`` is the form the fee rule is checked against (None: not checked against a
    form). Returns the Leistung and whether it was created. Authorization (Fachadministration)
    is the caller's.
    """
    problems = leistung_problems(daten, mandant=mandant, definition=definition)
    if problems:
        raise ServiceError("\n".join(message for _field, message in problems))
    values = {
        "name": daten.name.strip(),
        "beschreibung": daten.beschreibung.strip(),
        "schlagworte": [item.strip() for item in daten.schlagworte],
        "zustaendige_oe": daten.zustaendige_oe,
        "aktenplanposition": daten.aktenplanposition,
        "unterlagen": [item.strip() for item in daten.unterlagen],
        "rechtsgrundlagen": [item.strip() for item in daten.rechtsgrundlagen],
        "gebuehr": daten.gebuehr,
        "bearbeitungsdauer_tage": daten.bearbeitungsdauer_tage,
        "veroeffentlicht": daten.veroeffentlicht,
    }
    values["suchtext"] = fold(" ".join([daten.name, daten.beschreibung, *daten.schlagworte]))
    with transaction.atomic():
        leistung, created = Leistung.objects.select_for_update().update_or_create(
            mandant=mandant, leika_schluessel=daten.leika_schluessel, defaults=values
        )
        LeistungLebenslage.objects.filter(leistung=leistung).delete()
        LeistungLebenslage.objects.bulk_create(
            LeistungLebenslage(mandant=mandant, leistung=leistung, lebenslage=code)
            for code in dict.fromkeys(daten.lebenslagen)
        )
        audit.record(
            mandant=mandant,
            actor=by,
            action="dienste.leistung.create" if created else "dienste.leistung.update",
            object_type="dienste.leistung",
            object_id=str(leistung.pk),
            details={
                "leika": leistung.leika_schluessel,
                "veroeffentlicht": leistung.veroeffentlicht,
            },
        )
    return leistung, created
