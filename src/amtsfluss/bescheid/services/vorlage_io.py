"""Bescheid templates of a Mandant as JSON: ``{"format": 1, "vorlagen": [{"leika", "titel",
"koerper", "rechtsbehelfsbelehrung"}]}``. An import is all or nothing: every problem is named
with its JSON path, each template body must pass the sandbox's check, the Leistung is found by
its LeiKa key in the same Mandant; existing templates are changed in place."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from amtsfluss.bescheid.models import BescheidVorlage
from amtsfluss.bescheid.sandbox import check_template
from amtsfluss.core import audit
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import Mandant, User
from amtsfluss.dienste.models import Leistung

FORMAT = 1
MAX_BYTES = 1_000_000
_FIELDS = {"leika", "titel", "koerper", "rechtsbehelfsbelehrung"}


class VorlagenImportError(ServiceError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:20]))
        self.problems = problems


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _value in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError(_("a key is repeated in an object"))
    return dict(pairs)


def _refuse_float(text: str) -> Any:
    raise ValueError(_("no numbers with decimals here"))


def _parse(data: bytes) -> Any:
    if len(data) > MAX_BYTES:
        raise VorlagenImportError([_("$: the file is larger than %d bytes.") % MAX_BYTES])
    try:
        return json.loads(
            data.decode("utf-8"),
            object_pairs_hook=_no_duplicates,
            parse_float=_refuse_float,
        )
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise VorlagenImportError([_("$: not valid JSON (%s).") % str(error)[:200]]) from error


def _entries(document: Any) -> list[dict[str, Any]]:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise VorlagenImportError([_('$: expected an object with "format": 1.')])
    vorlagen = document.get("vorlagen")
    if not isinstance(vorlagen, list):
        raise VorlagenImportError([_("$.vorlagen: expected a list.")])
    return vorlagen


def _check_entry(
    path: str, entry: Any, leistungen: dict[str, Leistung], seen: set[str], problems: list[str]
) -> dict[str, Any] | None:
    if not isinstance(entry, dict):
        problems.append(_("%s: expected an object.") % path)
        return None
    unknown = sorted(set(entry) - _FIELDS)
    if unknown:
        problems.append(_("%(path)s: unknown key %(key)s.") % {"path": path, "key": unknown[0]})
    texts = {key: entry.get(key, "") for key in _FIELDS}
    for key, value in texts.items():
        if not isinstance(value, str):
            problems.append(_("%(path)s.%(key)s: expected text.") % {"path": path, "key": key})
            return None
    leika = texts["leika"]
    if leika not in leistungen:
        problems.append(
            _("%(path)s.leika: no Leistung %(leika)s.") % {"path": path, "leika": leika[:20]}
        )
    elif leika in seen:
        problems.append(
            _("%(path)s.leika: %(leika)s appears twice.") % {"path": path, "leika": leika}
        )
    seen.add(leika)
    if not texts["titel"].strip() or len(texts["titel"]) > 200:
        problems.append(_("%s.titel: a title of 1 to 200 characters is needed.") % path)
    try:
        check_template(texts["koerper"])
    except ServiceError as error:
        problems.append(f"{path}.koerper: {error.message}")
    return texts


def vorlagen_import(*, mandant: Mandant, data: bytes, by: User | None) -> int:
    """Create or change the templates of the file; the number of templates written."""
    entries = _entries(_parse(data))
    leistungen = {
        leistung.leika_schluessel: leistung for leistung in Leistung.objects.filter(mandant=mandant)
    }
    problems: list[str] = []
    seen: set[str] = set()
    checked = [
        _check_entry(f"$.vorlagen[{index}]", entry, leistungen, seen, problems)
        for index, entry in enumerate(entries)
    ]
    if problems:
        raise VorlagenImportError(problems)
    with transaction.atomic():
        for texts in checked:
            assert texts is not None  # noqa: S101 - no problems means every entry was checked
            BescheidVorlage.objects.update_or_create(
                mandant=mandant,
                leistung=leistungen[texts["leika"]],
                defaults={
                    "titel": texts["titel"].strip(),
                    "koerper": texts["koerper"],
                    "rechtsbehelfsbelehrung": texts["rechtsbehelfsbelehrung"].strip(),
                },
            )
        audit.record(
            mandant=mandant,
            actor=by,
            action="bescheidvorlage.import",
            details={"count": len(checked), "leika": sorted(seen)},
        )
    return len(checked)


def vorlagen_export(*, mandant: Mandant) -> bytes:
    vorlagen = [
        {
            "leika": vorlage.leistung.leika_schluessel,
            "titel": vorlage.titel,
            "koerper": vorlage.koerper,
            "rechtsbehelfsbelehrung": vorlage.rechtsbehelfsbelehrung,
        }
        for vorlage in BescheidVorlage.objects.filter(mandant=mandant)
        .select_related("leistung")
        .order_by("leistung__leika_schluessel")
    ]
    document = {"format": FORMAT, "vorlagen": vorlagen}
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()
