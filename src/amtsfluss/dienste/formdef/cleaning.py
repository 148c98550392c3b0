"""Check one field's entry and turn it into its value (docs/forms.md, "Validation").

``clean(field, raw, key, required, today)`` returns the value (``None`` for nothing entered)
and the problems as (input key, translated message). Entries arrive as text exactly as typed
(``raw.read_step`` has bounded their length already).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import formats
from django.utils.translation import gettext as _
from schwifty import IBAN

from amtsfluss.dienste.formdef.model import ADDRESS_PARTS, Field, FieldType, Widget
from amtsfluss.dienste.formdef.safe_regex import check_pattern

Raw = Mapping[str, str | list[str]]
Problem = tuple[str, str]

MAX_EMAIL = 254
MAX_IBAN = 42
MAX_NUMBER = 24
MAX_DATE = 20
_NUMBER = re.compile(r"[+-]?\d{1,15}(?:[.,]\d{1,6})?")
_GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_PLZ = re.compile(r"\d{5}")
#: non-characters, line/paragraph separators, bidirectional overrides (text that reads other
#: than it is stored, "Trojan Source")
_FORBIDDEN = frozenset(
    "\ufffd\ufffe\uffff\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_RELATIVE = re.compile(r"today(?:([+-]\d{1,5}))?")


def limit_of(field: Field, part: str = "") -> int:
    """The longest entry kept for a field (an entry is cut one character after it)."""
    if field.type == FieldType.ADDRESS:
        return next(length for name, _token, length in ADDRESS_PARTS if name == part)
    limits = {
        FieldType.TEXT: field.max_length or 200,
        FieldType.NUMBER: MAX_NUMBER,
        FieldType.DATE: MAX_DATE,
        FieldType.CHOICE: 40,
        FieldType.EMAIL: MAX_EMAIL,
        FieldType.IBAN: MAX_IBAN,
    }
    return limits.get(field.type, 0)


def has_forbidden_characters(text: str, *, multiline: bool = False) -> bool:
    allowed = "\n\t" if multiline else ""
    return any(
        unicodedata.category(ch) in ("Cc", "Cs", "Co") and ch not in allowed for ch in text
    ) or any(ch in _FORBIDDEN for ch in text)


def clean(
    field: Field, raw: Raw, key: str, *, required: bool, today: date
) -> tuple[Any, list[Problem]]:
    if field.type == FieldType.ADDRESS:
        return _address(field, raw, key, required)
    if field.type == FieldType.CHOICE and field.widget == Widget.CHECKBOX:
        return _checkboxes(field, raw.get(key), key, required)
    if field.type == FieldType.FILE:
        return _files(raw.get(key), key, required)
    if field.type == FieldType.GROUP:
        return None, []
    value = raw.get(key, "")
    text = value if isinstance(value, str) else ""
    if field.type == FieldType.TEXT and field.multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.strip()
    if has_forbidden_characters(text, multiline=field.multiline):
        return None, [(key, _("The entry contains characters that are not allowed."))]
    if not text:
        return None, [(key, _("Please fill in this field."))] if required else []
    try:
        return _CLEANERS[field.type](field, text, today), []
    except ValidationError as exc:
        return None, [(key, str(exc.message))]


def _text(field: Field, text: str, _today: date) -> str:
    if field.max_length is not None and len(text) > field.max_length:
        raise ValidationError(_("Please enter at most %d characters.") % field.max_length)
    if field.min_length is not None and len(text) < field.min_length:
        raise ValidationError(_("Please enter at least %d characters.") % field.min_length)
    if field.pattern and not check_pattern(field.pattern, max_length=len(text)).fullmatch(text):
        raise ValidationError(
            field.pattern_message or _("The entry does not have the expected form.")
        )
    return text


def _number(field: Field, text: str, _today: date) -> Decimal:
    if not _NUMBER.fullmatch(text):
        raise ValidationError(_("Please enter a number, such as 3 or 2,5."))
    number = Decimal(text.replace(",", "."))
    if field.integer and number != number.to_integral_value():
        raise ValidationError(_("Please enter a whole number."))
    if field.minimum is not None and number < field.minimum:
        raise ValidationError(_("Please enter at least %s.") % formats.number_format(field.minimum))
    if field.maximum is not None and number > field.maximum:
        raise ValidationError(_("Please enter at most %s.") % formats.number_format(field.maximum))
    return number


def _date(field: Field, text: str, today: date) -> date:
    value = parse_date(text)
    if value is None:
        raise ValidationError(_("Please enter a valid date, such as 31.01.2026."))
    earliest = resolve_date_rule(field.earliest, today)
    latest = resolve_date_rule(field.latest, today)
    if earliest is not None and value < earliest:
        raise ValidationError(
            _("The date must not be before %s.")
            % formats.date_format(earliest, "SHORT_DATE_FORMAT")
        )
    if latest is not None and value > latest:
        raise ValidationError(
            _("The date must not be after %s.") % formats.date_format(latest, "SHORT_DATE_FORMAT")
        )
    return value


def parse_date(text: str) -> date | None:
    """``2026-01-31`` (what a date input sends) or ``31.1.2026`` (what people type)."""
    german = _GERMAN_DATE.fullmatch(text)
    try:
        if german:
            day, month, year = (int(part) for part in german.groups())
            return date(year, month, day)
        if len(text) == 10:
            return datetime.strptime(text, "%Y-%m-%d").date()  # noqa: DTZ007 (a date only)
    except ValueError:
        return None
    return None


def resolve_date_rule(rule: str, today: date) -> date | None:
    if not rule:
        return None
    relative = _RELATIVE.fullmatch(rule)
    if relative:
        try:
            return today + timedelta(days=int(relative.group(1) or 0))
        except OverflowError:
            return None
    return date.fromisoformat(rule)


def _choice(field: Field, text: str, _today: date) -> str:
    if text not in {option.value for option in field.options}:
        raise ValidationError(_("Please choose one of the options."))
    return text


def _email(field: Field, text: str, _today: date) -> str:
    if len(text) > MAX_EMAIL:
        raise ValidationError(_("Please enter at most %d characters.") % MAX_EMAIL)
    try:
        validate_email(text)
    except ValidationError:
        raise ValidationError(_("Please enter a valid e-mail address.")) from None
    return text


def _iban(field: Field, text: str, _today: date) -> str:
    compact = "".join(text.split()).upper()
    try:
        if len(compact) > 34 or not compact.isalnum() or not compact.isascii():
            raise ValueError(compact)
        return str(IBAN(compact).compact)
    except ValueError:
        raise ValidationError(
            _("Please enter a valid IBAN, such as DE02 1203 0000 0000 2020 51.")
        ) from None


def _checkboxes(
    field: Field, value: str | list[str] | None, key: str, required: bool
) -> tuple[list[str] | None, list[Problem]]:
    chosen = value if isinstance(value, list) else ([value] if value else [])
    allowed = [option.value for option in field.options]
    if any(item not in allowed for item in chosen):
        return None, [(key, _("Please choose one of the options."))]
    selected = [item for item in allowed if item in chosen]  # in the options' order, once
    low = field.min_choices if field.min_choices is not None else (1 if required else 0)
    if (selected and len(selected) < low) or (not selected and required):
        return None, [(key, _("Please choose at least %d option(s).") % max(low, 1))]
    if field.max_choices is not None and len(selected) > field.max_choices:
        return None, [(key, _("Please choose at most %d option(s).") % field.max_choices)]
    return (selected or None), []


def _address(
    field: Field, raw: Raw, key: str, required: bool
) -> tuple[dict[str, str] | None, list[Problem]]:
    parts: dict[str, str] = {}
    problems: list[Problem] = []
    for part, _token, length in ADDRESS_PARTS:
        part_key = f"{key}-{part}"
        value = raw.get(part_key, "")
        text = value.strip() if isinstance(value, str) else ""
        if has_forbidden_characters(text):
            problems.append((part_key, _("The entry contains characters that are not allowed.")))
        elif len(text) > length:
            problems.append((part_key, _("Please enter at most %d characters.") % length))
        parts[part] = text
    if not any(parts.values()):
        if required:
            problems.append((f"{key}-strasse", _("Please fill in this field.")))
        return None, problems
    for part in ("strasse", "plz", "ort"):
        if not parts[part]:
            problems.append((f"{key}-{part}", _("Please fill in this field.")))
    if parts["plz"] and not _PLZ.fullmatch(parts["plz"]):
        problems.append((f"{key}-plz", _("Please enter a five-digit postcode.")))
    return (None if problems else parts), problems


_CLEANERS = {
    FieldType.TEXT: _text,
    FieldType.NUMBER: _number,
    FieldType.DATE: _date,
    FieldType.CHOICE: _choice,
    FieldType.EMAIL: _email,
    FieldType.IBAN: _iban,
}


def _files(value: object, key: str, required: bool) -> tuple[Any, list[Problem]]:
    """A file field's value: the names of its uploaded files (set by the upload, never posted)."""
    names = [n for n in value if isinstance(n, str)] if isinstance(value, list) else []
    if not names:
        return None, [(key, _("Please add a file."))] if required else []
    return names, []
