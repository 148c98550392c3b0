"""Import and export of the Leistungskatalog as JSON (docs/design/dienste.md, "Import").

The file is one object ``{"format": 1, "leistungen": [ … ]}``; each entry has the keys of
``ENTRY_KEYS`` (the unit by its code, the Aktenplan position by its Kennzeichen, the form as
its definition, docs/forms.md). An import is all or nothing: every problem of the file is
reported with its JSON path in one ``KatalogImportError`` and nothing is written; a clean file
creates or changes each Leistung by its LeiKa key in one transaction (Leistungen not in the file
stay as they are), and publishes a new form version where the definition changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from amtsfluss.akte.models import Aktenplanposition
from amtsfluss.core import audit
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import Mandant, Organisationseinheit, User
from amtsfluss.dienste.formdef.loader import load
from amtsfluss.dienste.formdef.model import Definition
from amtsfluss.dienste.formdef.problems import DefinitionError
from amtsfluss.dienste.models import Formularversion, Leistung
from amtsfluss.dienste.services.formular import formular_publish_definition
from amtsfluss.dienste.services.leistung import LeistungDaten, leistung_problems, leistung_save

FORMAT = 1
MAX_BYTES = 4 * 1024 * 1024
MAX_ENTRIES = 2000
MAX_DEPTH = 24
ENTRY_KEYS = (
    "leika",
    "name",
    "beschreibung",
    "schlagworte",
    "lebenslagen",
    "oe",
    "aktenplan",
    "unterlagen",
    "rechtsgrundlagen",
    "gebuehr",
    "bearbeitungsdauer_tage",
    "veroeffentlicht",
    "formular",
)
REQUIRED = ("leika", "name", "oe", "aktenplan", "gebuehr")
_TEXT_LISTS = ("schlagworte", "lebenslagen", "unterlagen", "rechtsgrundlagen")


class KatalogImportError(ServiceError):
    """The file was not imported; ``problems`` names every problem with its JSON path."""

    def __init__(self, problems: list[str]) -> None:
        summary = _("The catalogue was not imported; nothing was changed.")
        super().__init__("\n".join([summary, *problems]), code="import_invalid")
        self.problems = problems


@dataclass(frozen=True)
class ImportResult:
    created: int
    changed: int
    versions: int
    sha256: str


@dataclass(frozen=True)
class _Entry:
    daten: LeistungDaten
    definition: dict[str, Any] | None


# --- export -----------------------------------------------------------------------------------


def katalog_export(*, mandant: Mandant) -> bytes:
    """Every Leistung of the Mandant with its newest published form, as the import reads it."""
    leistungen = (
        Leistung.objects.filter(mandant=mandant)
        .select_related("zustaendige_oe", "aktenplanposition")
        .prefetch_related("lebenslagen")
        .order_by("leika_schluessel")
    )
    versions = {
        version.formular.leistung_id: version.definition
        for version in Formularversion.objects.filter(
            mandant=mandant, veroeffentlicht_am__isnull=False
        )
        .select_related("formular")
        .order_by("nummer")
    }
    entries = []
    for leistung in leistungen:
        entry: dict[str, Any] = {
            "leika": leistung.leika_schluessel,
            "name": leistung.name,
            "beschreibung": leistung.beschreibung,
            "schlagworte": leistung.schlagworte,
            "lebenslagen": sorted(item.lebenslage for item in leistung.lebenslagen.all()),
            "oe": leistung.zustaendige_oe.code,
            "aktenplan": leistung.aktenplanposition.kennzeichen,
            "unterlagen": leistung.unterlagen,
            "rechtsgrundlagen": leistung.rechtsgrundlagen,
            "gebuehr": leistung.gebuehr,
            "bearbeitungsdauer_tage": leistung.bearbeitungsdauer_tage,
            "veroeffentlicht": leistung.veroeffentlicht,
        }
        if leistung.pk in versions:
            entry["formular"] = versions[leistung.pk]
        entries.append(entry)
    document = {"format": FORMAT, "leistungen": entries}
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


# --- import -----------------------------------------------------------------------------------


def katalog_import(*, mandant: Mandant, data: bytes, by: User | None) -> ImportResult:
    """Create or change every Leistung of the file — all of them or none.

    Raises ``KatalogImportError`` naming every problem (with its JSON path) before anything is
    written. Authorization (Fachadministration) is the caller's.
    """
    problems: list[str] = []
    raw_entries = _read(data, problems)
    with transaction.atomic():
        Mandant.objects.select_for_update().filter(pk=mandant.pk).first()  # one import at a time
        entries = _check(raw_entries, mandant, problems) if not problems else []
        if problems:
            raise KatalogImportError(problems)
        created = changed = versions = 0
        for entry in entries:
            definition = load(entry.definition) if entry.definition is not None else None
            leistung, new = leistung_save(
                mandant=mandant, daten=entry.daten, definition=definition, by=by
            )
            created, changed = created + new, changed + (not new)
            if entry.definition is not None:
                before = Formularversion.objects.filter(formular__leistung=leistung).count()
                formular_publish_definition(leistung=leistung, definition=entry.definition, by=by)
                versions += (
                    Formularversion.objects.filter(formular__leistung=leistung).count() - before
                )
        result = ImportResult(created, changed, versions, hashlib.sha256(data).hexdigest())
        audit.record(
            mandant=mandant,
            actor=by,
            action="dienste.katalog.import",
            object_type="dienste.katalog",
            details={
                "created": created,
                "changed": changed,
                "versions": versions,
                "bytes": len(data),
                "sha256": result.sha256,
            },
        )
    return result


class _Duplicates(dict[str, Any]):
    duplicates: list[str]


def _pairs(pairs: list[tuple[str, Any]]) -> _Duplicates:
    obj = _Duplicates()
    obj.duplicates = []
    for key, value in pairs:
        if key in obj:
            obj.duplicates.append(key)
        obj[key] = value
    return obj


class _Float:
    """A JSON number with a fraction or exponent (or NaN): never accepted, named in a problem."""

    def __init__(self, literal: str) -> None:
        self.literal = literal[:20]


def _read(data: bytes, problems: list[str]) -> list[Any]:
    if len(data) > MAX_BYTES:
        problems.append(_("The file is larger than the limit of %s.") % filesizeformat(MAX_BYTES))
        return []
    try:
        document = json.loads(
            data.decode("utf-8-sig"),
            object_pairs_hook=_pairs,
            parse_float=_Float,
            parse_constant=_Float,
        )
    except UnicodeDecodeError:
        problems.append(_("The file is not encoded as UTF-8."))
        return []
    except json.JSONDecodeError as exc:
        problems.append(
            _("The JSON is malformed in line %(line)d: %(problem)s.")
            % {"line": exc.lineno, "problem": exc.msg}
        )
        return []
    except RecursionError:
        problems.append(_("The JSON is nested too deeply."))
        return []
    _walk(document, "$", 0, problems)
    if problems:
        return []
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        problems.append(_('$: an object {"format": %d, "leistungen": […]} is required.') % FORMAT)
        return []
    entries = document.get("leistungen")
    if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_ENTRIES:
        problems.append(_("$.leistungen: a list of 1 to %d entries is required.") % MAX_ENTRIES)
        return []
    return entries


def _walk(value: Any, path: str, depth: int, problems: list[str]) -> None:
    """Refuse what JSON allows but a catalogue never holds: deep nesting, repeated keys,
    numbers with fractions (amounts are text), so that nothing is guessed later."""
    if depth > MAX_DEPTH:
        problems.append(_("%s: nested too deeply.") % path)
        return
    if isinstance(value, _Float):
        problems.append(
            _('%(path)s: %(literal)s — write decimal numbers as text ("12.50").')
            % {"path": path, "literal": value.literal}
        )
    elif isinstance(value, _Duplicates):
        for key in value.duplicates:
            problems.append(
                _("%(path)s: the key %(key)r appears twice.") % {"path": path, "key": key[:40]}
            )
        for key, item in value.items():
            _walk(item, f"{path}.{key[:40]}", depth + 1, problems)
    elif isinstance(value, list):
        for n, item in enumerate(value):
            _walk(item, f"{path}[{n}]", depth + 1, problems)


def _check(raw_entries: list[Any], mandant: Mandant, problems: list[str]) -> list[_Entry]:
    units = {unit.code: unit for unit in Organisationseinheit.objects.filter(mandant=mandant)}
    positions = {
        position.kennzeichen: position
        for position in Aktenplanposition.objects.filter(mandant=mandant)
    }
    first_seen: dict[str, int] = {}
    entries: list[_Entry] = []
    for n, raw in enumerate(raw_entries):
        path = f"$.leistungen[{n}]"
        entry = _entry(raw, path, units, positions, mandant, problems)
        if entry is None:
            continue
        key = entry.daten.leika_schluessel
        if key in first_seen:
            problems.append(
                _("%(path)s.leika: the LeiKa key %(key)s appears already in entry %(first)d.")
                % {"path": path, "key": key, "first": first_seen[key] + 1}
            )
            continue
        first_seen[key] = n
        entries.append(entry)
    return entries


def _entry(
    raw: Any,
    path: str,
    units: dict[str, Organisationseinheit],
    positions: dict[str, Aktenplanposition],
    mandant: Mandant,
    problems: list[str],
) -> _Entry | None:
    def fail(key: str, message: str) -> None:
        problems.append(f"{path}.{key}: {message}" if key else f"{path}: {message}")

    if not isinstance(raw, dict):
        fail("", _("each entry must be an object."))
        return None
    before = len(problems)
    unknown = [key for key in raw if key not in ENTRY_KEYS]
    if unknown:
        fail(
            "",
            _("unknown key(s) %(unknown)s; the keys are: %(keys)s.")
            % {
                "unknown": ", ".join(repr(k[:40]) for k in unknown[:10]),
                "keys": ", ".join(ENTRY_KEYS),
            },
        )
    for key in REQUIRED:
        if key not in raw:
            fail(key, _("is required."))
    texts = {key: raw.get(key, "") for key in ("leika", "name", "beschreibung", "oe", "aktenplan")}
    for key, value in texts.items():
        if not isinstance(value, str):
            fail(key, _("must be text."))
    lists = {key: raw.get(key, []) for key in _TEXT_LISTS}
    for key, value in lists.items():
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            fail(key, _("must be a list of texts."))
    days = raw.get("bearbeitungsdauer_tage")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int)):
        fail("bearbeitungsdauer_tage", _("must be a whole number of days."))
    if not isinstance(raw.get("veroeffentlicht", False), bool):
        fail("veroeffentlicht", _("must be true or false."))
    if len(problems) > before:
        return None
    unit = units.get(texts["oe"])
    if unit is None:
        fail("oe", _("there is no unit with the code %r.") % texts["oe"][:40])
    position = positions.get(texts["aktenplan"])
    if position is None:
        fail("aktenplan", _("there is no Aktenplan position %r.") % texts["aktenplan"][:40])
    definition_raw = raw.get("formular")
    definition = _definition(definition_raw, f"{path}.formular", problems)
    if unit is None or position is None:
        return None
    daten = LeistungDaten(
        leika_schluessel=texts["leika"],
        name=texts["name"],
        beschreibung=texts["beschreibung"],
        schlagworte=lists["schlagworte"],
        lebenslagen=lists["lebenslagen"],
        zustaendige_oe=unit,
        aktenplanposition=position,
        unterlagen=lists["unterlagen"],
        rechtsgrundlagen=lists["rechtsgrundlagen"],
        gebuehr=raw["gebuehr"],
        bearbeitungsdauer_tage=days,
        veroeffentlicht=raw.get("veroeffentlicht", False),
    )
    for key, message in leistung_problems(daten, mandant=mandant, definition=definition):
        if key == "gebuehr":  # already "$.gebuehr…: message"
            problems.append(path + message[1:])
        else:
            fail(key, message)
    if len(problems) > before:
        return None
    return _Entry(daten=daten, definition=definition_raw if definition_raw is not None else None)


def _definition(raw: Any, path: str, problems: list[str]) -> Definition | None:
    if raw is None:
        return None
    try:
        return load(raw)
    except DefinitionError as exc:
        problems.extend(path + problem[1:] for problem in exc.problems)
        return None
