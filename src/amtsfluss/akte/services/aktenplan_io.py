"""Import and export of the Aktenplan as CSV or JSON.

Both formats carry the same fields, every value as text:

``kennzeichen``   ``10.38.50`` — digit groups separated by dots; the prefix is the parent
``titel``         the position's title
``beschreibung``  free text (may be empty)
``aufbewahrung``  ``10`` (years, 1–200), ``dauernd`` (permanent) or empty (none, inner nodes)
``archiv``        ``A``, ``B``, ``V`` or empty
``oe``            short code of the federführende Organisationseinheit (must exist) or empty
``parent``        optional; if given it must be the Kennzeichen's prefix

CSV is UTF-8 (with or without BOM), delimited by ``;`` (German Excel) or ``,``, with a header
row naming the columns (``kennzeichen`` and ``titel`` are required, the others optional, in
any order). The export writes ``;``, a BOM and CRLF so that Excel opens it as it is; a cell
that Excel would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR) gets a leading ``'``
(OWASP, CSV injection), which the import removes again, so the round trip is lossless.
JSON is one array of objects with these keys.

An import is all or nothing: the whole file is read and checked first, and every problem is
reported with its line number in one ``AktenplanImportError``; only a clean file is written,
in one transaction, through ``position_create`` — where the rules for a single position
live — parents before children.
"""

from __future__ import annotations

import codecs
import collections
import csv
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from amtsfluss.akte.kennzeichen import parent_kennzeichen, sort_key, validate_kennzeichen
from amtsfluss.akte.models import Akte, Aktenplanposition, Archivwuerdigkeit
from amtsfluss.akte.services.aktenplan import position_create
from amtsfluss.core import audit
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import Mandant, Organisationseinheit, User

if TYPE_CHECKING:
    from _csv import Reader as CsvReader

Format = Literal["csv", "json"]
FORMATS: tuple[Format, ...] = ("csv", "json")

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_JSON_DEPTH = 10
MAX_TITLE = 300  # Aktenplanposition.titel
MAX_RETENTION_YEARS = 200

COLUMNS = ("kennzeichen", "titel", "beschreibung", "aufbewahrung", "archiv", "oe", "parent")
REQUIRED = ("kennzeichen", "titel")
DAUERND = "dauernd"

#: First characters that make a spreadsheet evaluate a cell (OWASP "CSV Injection").
_FORMULA_START = frozenset("=+-@\t\r")
_ESCAPED_START = _FORMULA_START | {"'"}
_RETENTION = re.compile(r"\d{1,3}")
_JSON_STRING = re.compile(r'"[^"\\]*+(?:\\.?[^"\\]*+)*+(?:"|\Z)', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")
_JSON_MAX_INT_DIGITS = 18


class AktenplanImportError(ServiceError):
    """The file was not imported; ``problems`` names every problem found, with its line."""

    def __init__(self, problems: list[str]) -> None:
        summary = _("The Aktenplan was not imported; nothing was changed.")
        super().__init__("\n".join([summary, *problems]), code="import_invalid")
        self.problems = problems


@dataclass(frozen=True)
class ImportResult:
    created: int
    leaves: int
    sha256: str


@dataclass(frozen=True)
class _Row:
    """One entry of the file as text, with the line it starts on."""

    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class _Entry:
    """One entry after checking: what ``position_create`` gets."""

    line: int
    kennzeichen: str
    titel: str
    beschreibung: str
    aufbewahrung_jahre: int | None
    aufbewahrung_dauernd: bool
    archivwuerdigkeit: str
    unit: Organisationseinheit | None


class _Problems:
    def __init__(self) -> None:
        self.items: list[tuple[int, str]] = []

    def add(self, line: int, message: str) -> None:
        self.items.append((line, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def messages(self) -> list[str]:
        ordered = sorted(self.items, key=lambda item: item[0])
        return [
            _("Line %(line)d: %(problem)s") % {"line": line, "problem": message}
            if line
            else message
            for line, message in ordered
        ]

    def error(self) -> AktenplanImportError:
        return AktenplanImportError(self.messages())


# --- export -----------------------------------------------------------------------------------


def aktenplan_rows(*, mandant: Mandant) -> list[dict[str, str]]:
    """The Mandant's Aktenplan as rows of text in Kennzeichen order (parents first)."""
    positions = Aktenplanposition.objects.filter(mandant=mandant).select_related(
        "parent", "federfuehrende_oe"
    )
    rows = [
        {
            "kennzeichen": position.kennzeichen,
            "titel": position.titel,
            "beschreibung": position.beschreibung,
            "aufbewahrung": _retention_text(position),
            "archiv": position.archivwuerdigkeit,
            "oe": position.federfuehrende_oe.code if position.federfuehrende_oe else "",
            "parent": position.parent.kennzeichen if position.parent else "",
        }
        for position in positions
    ]
    return sorted(rows, key=lambda row: (sort_key(row["kennzeichen"]), row["kennzeichen"]))


def aktenplan_export(*, mandant: Mandant, fmt: Format) -> bytes:
    """The Aktenplan as a file: CSV for Excel (``;``, BOM, CRLF, formulas defused) or JSON."""
    rows = aktenplan_rows(mandant=mandant)
    if fmt == "json":
        return (json.dumps(rows, ensure_ascii=False, indent=2) + "\n").encode()
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([_defuse(row[column]) for column in COLUMNS] for row in rows)
    return codecs.BOM_UTF8 + out.getvalue().encode()


def _retention_text(position: Aktenplanposition) -> str:
    if position.aufbewahrung_dauernd:
        return DAUERND
    if position.aufbewahrung_jahre is not None:
        return str(position.aufbewahrung_jahre)
    return ""


def _defuse(value: str) -> str:
    """A cell a spreadsheet shows as text: ``=1+2`` → ``'=1+2`` (and ``'x`` → ``''x``)."""
    return "'" + value if value[:1] in _ESCAPED_START else value


def _undefuse(value: str) -> str:
    """Undo ``_defuse``; a leading ``'`` before anything else stays as written."""
    if len(value) > 1 and value[0] == "'" and value[1] in _ESCAPED_START:
        return value[1:]
    return value


# --- import -----------------------------------------------------------------------------------


def format_for_filename(name: str, default: Format = "csv") -> Format:
    lowered = name.lower()
    if lowered.endswith(".json"):
        return "json"
    if lowered.endswith(".csv"):
        return "csv"
    return default


def aktenplan_import(
    *,
    mandant: Mandant,
    data: bytes,
    fmt: Format,
    by: User | None,
    progress: Callable[[int], object] | None = None,
) -> ImportResult:
    """Add every position of the file to the Mandant's Aktenplan — all of them or none.

    Raises ``AktenplanImportError`` naming every problem (with its line) before anything is
    written. Authorization (Registratur or Fachadministration) is the caller's, through the
    engine, as for ``position_create``.
    """
    if fmt not in FORMATS:
        raise ServiceError(_("Unknown format %r; use csv or json.") % fmt)
    problems = _Problems()
    rows = _read(data, fmt, problems)
    if problems:
        raise problems.error()
    with transaction.atomic():
        # one import per Mandant at a time; position_create locks the parents it touches
        Mandant.objects.select_for_update().filter(pk=mandant.pk).first()
        entries = _check(rows, mandant, problems)
        if problems:
            raise problems.error()
        entries.sort(key=lambda e: (e.kennzeichen.count("."), sort_key(e.kennzeichen)))
        for entry in entries:
            _create(entry, mandant=mandant, by=by)
            if progress is not None:
                progress(1)
        kennzeichen = {entry.kennzeichen for entry in entries}
        parents = {parent_kennzeichen(k) for k in kennzeichen}
        result = ImportResult(
            created=len(entries),
            leaves=len(kennzeichen - parents),
            sha256=hashlib.sha256(data).hexdigest(),
        )
        audit.record(
            mandant=mandant,
            actor=by,
            action="aktenplan.import",
            object_type="akte.aktenplan",
            details={
                "format": fmt,
                "created": result.created,
                "leaves": result.leaves,
                "bytes": len(data),
                "sha256": result.sha256,
            },
        )
    return result


def _create(entry: _Entry, *, mandant: Mandant, by: User | None) -> None:
    try:
        position_create(
            mandant=mandant,
            kennzeichen=entry.kennzeichen,
            titel=entry.titel,
            beschreibung=entry.beschreibung,
            aufbewahrung_jahre=entry.aufbewahrung_jahre,
            aufbewahrung_dauernd=entry.aufbewahrung_dauernd,
            archivwuerdigkeit=entry.archivwuerdigkeit,
            federfuehrende_oe=entry.unit,
            by=by,
        )
    except ServiceError as exc:  # a rule this module does not check ahead, or a race
        raise AktenplanImportError([_line(entry.line, exc.message)]) from exc
    except IntegrityError as exc:  # a concurrent change of the same Aktenplan
        raise AktenplanImportError(
            [_line(entry.line, _("The Kennzeichen %s exists already.") % entry.kennzeichen)]
        ) from exc


def _line(line: int, message: str) -> str:
    return _("Line %(line)d: %(problem)s") % {"line": line, "problem": message}


# --- reading ----------------------------------------------------------------------------------


def _read(data: bytes, fmt: Format, problems: _Problems) -> list[_Row]:
    if len(data) > MAX_BYTES:
        problems.add(
            0,
            _("The file is larger than the limit of %s.") % filesizeformat(MAX_BYTES),
        )
        return []
    text = _decode(data, problems)
    if text is None:
        return []
    rows = _read_json(text, problems) if fmt == "json" else _read_csv(text, problems)
    if not rows and not problems:
        problems.add(0, _("The file contains no positions."))
    return rows


def _decode(data: bytes, problems: _Problems) -> str | None:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.add(
            data.count(b"\n", 0, exc.start) + 1,
            _(
                "the file is not encoded as UTF-8 (in Excel: save as “CSV UTF-8 (durch "
                "Trennzeichen getrennt)”)."
            ),
        )
        return None


def _read_csv(text: str, problems: _Problems) -> list[_Row]:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records = _records(reader, problems)
    header = next(records, None)
    if header is None:
        return []
    columns = [name.strip().lower() for name in header[1]]
    if not _header_ok(columns, problems):
        return []
    rows: list[_Row] = []
    for line, record in records:
        if not any(value.strip() for value in record):
            continue  # blank line, or a row of empty cells that Excel left behind
        if len(rows) >= MAX_ROWS:
            problems.add(line, _("the file has more than %d positions.") % MAX_ROWS)
            break
        if len(record) != len(columns):
            problems.add(
                line,
                _("%(found)d values, but the header names %(expected)d columns.")
                % {"found": len(record), "expected": len(columns)},
            )
            continue
        values = dict.fromkeys(COLUMNS, "")
        values.update(zip(columns, (_undefuse(v) for v in record), strict=True))
        rows.append(_Row(line=line, values=values))
    return rows


def _records(reader: CsvReader, problems: _Problems) -> Iterator[tuple[int, list[str]]]:
    """The CSV records with the line each starts on; a broken record ends the file."""
    while True:
        line = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.add(line, _("the CSV is malformed (%s).") % exc)
            return
        yield line, record


def _header_ok(columns: list[str], problems: _Problems) -> bool:
    expected = ", ".join(COLUMNS)
    unknown = [c for c in columns if c not in COLUMNS]
    missing = [c for c in REQUIRED if c not in columns]
    twice = sorted(c for c, n in collections.Counter(columns).items() if n > 1)
    if unknown:
        problems.add(
            1,
            _("unknown column(s) %(unknown)s; the columns are: %(expected)s.")
            % {"unknown": ", ".join(repr(c[:40]) for c in unknown[:10]), "expected": expected},
        )
    if missing:
        problems.add(
            1,
            _("the header lacks the column(s) %(missing)s; the columns are: %(expected)s.")
            % {"missing": ", ".join(missing), "expected": expected},
        )
    if twice:
        problems.add(1, _("the column(s) %s appear twice in the header.") % ", ".join(twice))
    return not (unknown or missing or twice)


class _BadNumber:
    """A JSON number that is no retention period: a fraction, NaN, Infinity or too long."""

    def __init__(self, literal: str) -> None:
        self.literal = literal[:20]


class _JsonObject(dict[str, Any]):
    duplicates: list[str]


def _json_object(pairs: list[tuple[str, Any]]) -> _JsonObject:
    obj = _JsonObject()
    obj.duplicates = []
    for key, value in pairs:
        if key in obj:
            obj.duplicates.append(key)
        obj[key] = value
    return obj


def _json_int(literal: str) -> int | _BadNumber:
    if len(literal.lstrip("-")) > _JSON_MAX_INT_DIGITS:
        return _BadNumber(literal)
    return int(literal)


_DECODER = json.JSONDecoder(
    object_pairs_hook=_json_object,
    parse_int=_json_int,
    parse_float=_BadNumber,
    parse_constant=_BadNumber,
)


def _read_json(text: str, problems: _Problems) -> list[_Row]:
    """A top-level array, decoded entry by entry so that each entry knows its line."""
    if not _json_depth_ok(text, problems):
        return []
    position = _skip_whitespace(text, 0)
    if not text.startswith("[", position):
        problems.add(0, _("The JSON must be a list of objects: [{…}, {…}]."))
        return []
    rows: list[_Row] = []
    line, counted = 1, 0
    position = _skip_whitespace(text, position + 1)
    if text.startswith("]", position):
        return _json_end(text, position, rows, problems)
    while True:
        line += text.count("\n", counted, position)
        counted = position
        try:
            value, position = _DECODER.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            problems.add(exc.lineno, _("the JSON is malformed (%s).") % exc.msg)
            return rows
        except (ValueError, RecursionError) as exc:
            problems.add(line, _("the JSON is malformed (%s).") % str(exc)[:80])
            return rows
        if len(rows) >= MAX_ROWS:
            problems.add(line, _("the file has more than %d positions.") % MAX_ROWS)
            return rows
        row = _json_row(line, value, problems)
        if row is not None:
            rows.append(row)
        position = _skip_whitespace(text, position)
        if text.startswith(",", position):
            position = _skip_whitespace(text, position + 1)
            continue
        if text.startswith("]", position):
            return _json_end(text, position, rows, problems)
        line += text.count("\n", counted, position)
        problems.add(line, _("the JSON is malformed (expected “,” or “]”)."))
        return rows


def _json_end(text: str, position: int, rows: list[_Row], problems: _Problems) -> list[_Row]:
    rest = _skip_whitespace(text, position + 1)
    if rest < len(text):
        problems.add(text.count("\n", 0, rest) + 1, _("the JSON continues after the closing “]”."))
    return rows


def _skip_whitespace(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _json_depth_ok(text: str, problems: _Problems) -> bool:
    """Refuse deeply nested JSON before the (recursive) decoder sees it."""
    without_strings = _JSON_STRING.sub(lambda m: '""' + "\n" * m.group().count("\n"), text)
    depth = 0
    for match in _JSON_BRACKET.finditer(without_strings):
        if match.group() in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                problems.add(
                    without_strings.count("\n", 0, match.start()) + 1,
                    _("the JSON is nested more than %d levels deep.") % MAX_JSON_DEPTH,
                )
                return False
        else:
            depth -= 1
    return True


def _json_row(line: int, value: object, problems: _Problems) -> _Row | None:
    if not isinstance(value, _JsonObject):
        problems.add(
            line, _("each entry must be an object {…} with the fields %s.") % ", ".join(COLUMNS)
        )
        return None
    ok = True
    for key in value.duplicates:
        problems.add(line, _("the field %r appears twice.") % key[:40])
        ok = False
    unknown = [key for key in value if key not in COLUMNS]
    if unknown:
        problems.add(
            line,
            _("unknown field(s) %(unknown)s; the fields are: %(expected)s.")
            % {
                "unknown": ", ".join(repr(k[:40]) for k in unknown[:10]),
                "expected": ", ".join(COLUMNS),
            },
        )
        ok = False
    for key in REQUIRED:
        if key not in value:
            problems.add(line, _("the field %r is missing.") % key)
            ok = False
    values = dict.fromkeys(COLUMNS, "")
    for key in COLUMNS:
        raw = value.get(key)
        if raw is None:
            continue
        if isinstance(raw, str):
            values[key] = raw
        elif key == "aufbewahrung" and isinstance(raw, int) and not isinstance(raw, bool):
            values[key] = str(raw)  # at most 18 digits (_json_int); checked with the rest
        elif key == "aufbewahrung" and isinstance(raw, _BadNumber):
            values[key] = raw.literal  # never a valid retention; reported with the rest
        else:
            problems.add(line, _("the field %r must be text.") % key)
            ok = False
    return _Row(line=line, values=values) if ok else None


# --- checking ---------------------------------------------------------------------------------


def _check(rows: list[_Row], mandant: Mandant, problems: _Problems) -> list[_Entry]:
    """Check every row against the rules and the Mandant's data; report all problems."""
    existing = set(
        Aktenplanposition.objects.filter(mandant=mandant).values_list("kennzeichen", flat=True)
    )
    with_akten = set(
        Akte.objects.filter(mandant=mandant).values_list("position__kennzeichen", flat=True)
    )
    units = {unit.code: unit for unit in Organisationseinheit.objects.filter(mandant=mandant)}
    first_line: dict[str, int] = {}
    explicit_parent: dict[str, str] = {}
    entries: list[_Entry] = []
    for row in rows:
        kennzeichen, entry = _check_row(row, units, problems)
        if not kennzeichen:
            continue
        if kennzeichen in first_line:
            problems.add(
                row.line,
                _("the Kennzeichen %(kennzeichen)s appears already in line %(line)d.")
                % {"kennzeichen": kennzeichen, "line": first_line[kennzeichen]},
            )
            continue
        first_line[kennzeichen] = row.line
        if kennzeichen in existing:
            problems.add(row.line, _("the Kennzeichen %s exists already.") % kennzeichen)
        if given_parent := row.values["parent"].strip():
            explicit_parent[kennzeichen] = given_parent
        parent = parent_kennzeichen(kennzeichen)
        if parent is not None and parent in with_akten:
            problems.add(
                row.line, _("Akten are filed at %s, so it cannot get sub-positions.") % parent
            )
        if entry is not None:
            entries.append(entry)
    for kennzeichen, line in first_line.items():
        parent = parent_kennzeichen(kennzeichen)
        if parent is not None and parent not in first_line and parent not in existing:
            problems.add(
                line,
                _(
                    "the parent %(parent)s of %(kennzeichen)s is neither in the file nor in "
                    "the Aktenplan."
                )
                % {"parent": parent, "kennzeichen": kennzeichen},
            )
    for cycle in _cycles(explicit_parent):
        problems.add(
            min(first_line[k] for k in cycle),
            _("the parent values form a cycle: %s.") % " → ".join([*cycle, cycle[0]]),
        )
    return entries


def _check_row(
    row: _Row, units: dict[str, Organisationseinheit], problems: _Problems
) -> tuple[str, _Entry | None]:
    """The row's Kennzeichen if it is well-formed (else ""), and the entry if all is well."""
    values = row.values
    ok = True

    def fail(message: str) -> None:
        nonlocal ok
        problems.add(row.line, message)
        ok = False

    try:
        kennzeichen = validate_kennzeichen(values["kennzeichen"])
    except ServiceError as exc:
        fail(exc.message if len(values["kennzeichen"]) <= 60 else _("the Kennzeichen is too long."))
        kennzeichen = ""
    titel = values["titel"].strip()
    if not titel:
        fail(_("position %s needs a title.") % (kennzeichen or "?"))
    elif len(titel) > MAX_TITLE:
        fail(_("the title is longer than %d characters.") % MAX_TITLE)
    elif _has_control(titel, allowed=""):
        fail(_("the title contains control characters."))
    beschreibung = values["beschreibung"]
    if _has_control(beschreibung, allowed="\t\n\r"):
        fail(_("the description contains control characters."))
    jahre, dauernd = _retention(values["aufbewahrung"], fail)
    archiv = values["archiv"].strip().upper()
    if archiv and archiv not in Archivwuerdigkeit.values:
        fail(_("the archive hint must be A, B, V or empty, not %r.") % values["archiv"][:20])
    code = values["oe"].strip()
    unit = units.get(code) if code else None
    if code and unit is None:
        fail(_("there is no unit with the code %r.") % code[:40])
    given_parent = values["parent"].strip()
    if kennzeichen and given_parent:
        expected = parent_kennzeichen(kennzeichen)
        if expected is None:
            fail(
                _("%(kennzeichen)s is a top-level position, but the parent %(given)r is given.")
                % {"kennzeichen": kennzeichen, "given": given_parent[:40]}
            )
        elif given_parent != expected:
            fail(
                _("the parent of %(kennzeichen)s is %(expected)s (its prefix), not %(given)r.")
                % {"kennzeichen": kennzeichen, "expected": expected, "given": given_parent[:40]}
            )
    if not ok:
        return kennzeichen, None
    return kennzeichen, _Entry(
        line=row.line,
        kennzeichen=kennzeichen,
        titel=titel,
        beschreibung=beschreibung,
        aufbewahrung_jahre=jahre,
        aufbewahrung_dauernd=dauernd,
        archivwuerdigkeit=archiv,
        unit=unit,
    )


def _retention(raw: str, fail: Callable[[str], None]) -> tuple[int | None, bool]:
    value = raw.strip().lower()
    if not value:
        return None, False
    if value == DAUERND:
        return None, True
    if _RETENTION.fullmatch(value) and 1 <= int(value) <= MAX_RETENTION_YEARS:
        return int(value), False
    fail(
        _(
            "the retention must be a number of years from 1 to %(max)d, “dauernd” or empty, "
            "not %(value)r."
        )
        % {"max": MAX_RETENTION_YEARS, "value": raw[:20]}
    )
    return None, False


def _has_control(text: str, *, allowed: str) -> bool:
    """Control characters, lone surrogates, non-characters — nothing a database should hold."""
    return (
        any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in allowed for ch in text)
        or "\ufffe" in text
        or "\uffff" in text
    )


def _cycles(parent_of: dict[str, str]) -> Iterable[list[str]]:
    """Each cycle in a graph where every node has at most one parent, once, from its least
    member. ``parent_of`` maps a Kennzeichen to the parent value given in the file."""
    done: set[str] = set()
    for start in sorted(parent_of, key=lambda k: (sort_key(k), k)):
        path: list[str] = []
        on_path: set[str] = set()
        node: str | None = start
        while node is not None and node not in done and node not in on_path:
            path.append(node)
            on_path.add(node)
            node = parent_of.get(node)
        if node is not None and node in on_path:
            cycle = path[path.index(node) :]
            least = min(range(len(cycle)), key=lambda i: (sort_key(cycle[i]), cycle[i]))
            yield cycle[least:] + cycle[:least]
        done.update(path)
