"""The documents a submission files into its Vorgang: the form data as JSON and as PDF/A, and
the Eingangsbestätigung (PDF/A). Rendered in the administration's language: they are records.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from amtsfluss.core.printable import css_string, html_to_pdf
from amtsfluss.dienste import gebuehren
from amtsfluss.dienste.formdef.evaluate import Evaluation, evaluate
from amtsfluss.dienste.formdef.model import Definition
from amtsfluss.dienste.formdef.summary import StepSummary, summarize
from amtsfluss.dienste.models import Antrag, Leistung
from amtsfluss.dienste.selectors.antrag import erwartet_bis


def json_values(values: dict[str, Any]) -> dict[str, Any]:
    """The form's typed values as plain JSON (dates ISO, Decimal as text: never a float)."""
    loaded: dict[str, Any] = json.loads(json.dumps(values, cls=DjangoJSONEncoder))
    return loaded


@dataclass(frozen=True)
class Lesefassung:
    """An Antrag's entries in words, step by step, and its fee, for people to read."""

    steps: list[StepSummary]
    fee_lines: list[tuple[str, str]]
    fee_total: str
    fee: Decimal


def evaluation_of(antrag: Antrag, definition: Definition) -> Evaluation:
    """The entries evaluated as on the day they were submitted (the same values as then)."""
    return evaluate(
        definition,
        antrag.daten,
        antrag.wiederholungen,
        today=timezone.localdate(antrag.eingereicht_am),
    )


def lesefassung(leistung: Leistung, definition: Definition, evaluation: Evaluation) -> Lesefassung:
    fee = gebuehren.compute(
        gebuehren.check_rule(leistung.gebuehr, definition=None), evaluation.values
    )
    return Lesefassung(
        steps=summarize(definition, evaluation),
        fee_lines=[(label, gebuehren.money(amount)) for label, amount in fee.lines],
        fee_total=gebuehren.money(fee.total),
        fee=fee.total,
    )


def datensatz(antrag: Antrag) -> bytes:
    """The JSON data record of the application (UTF-8, keys sorted)."""
    record = {
        "format": 1,
        "leistung": {
            "leika": antrag.leistung.leika_schluessel,
            "name": antrag.leistung.name,
        },
        "formularversion": antrag.formularversion.nummer,
        "geschaeftszeichen": antrag.geschaeftszeichen,
        "eingereicht_am": antrag.eingereicht_am.isoformat(),
        "antragsteller": {"name": antrag.antragsteller_name, "email": antrag.antragsteller_email},
        "gebuehr": None if antrag.gebuehr is None else str(antrag.gebuehr),
        "daten": antrag.werte,
    }
    return json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True).encode()


def _pdf(template: str, title: str, context: dict[str, Any]) -> bytes:
    context["running_header_css"] = css_string(title)
    context["page_label_css"] = css_string(_("Page"))
    return html_to_pdf(render_to_string(template, context))


def _common(antrag: Antrag) -> dict[str, Any]:
    return {
        "mandant": antrag.mandant,
        "leistung": antrag.leistung,
        "unit": antrag.vorgang.bearbeitende_oe,
        "geschaeftszeichen": antrag.geschaeftszeichen,
        "eingereicht_am": antrag.eingereicht_am,
        "antragsteller_name": antrag.antragsteller_name,
    }


def antrag_pdf(antrag: Antrag, definition: Definition, dateien: list[str]) -> bytes:
    """The application as submitted, every entry readable (PDF/A-2b, tagged)."""
    with translation.override(settings.LANGUAGE_CODE):
        fassung = lesefassung(antrag.leistung, definition, evaluation_of(antrag, definition))
        context = {
            **_common(antrag),
            "version_nummer": antrag.formularversion.nummer,
            "steps": fassung.steps,
            "fee_lines": fassung.fee_lines,
            "fee_total": fassung.fee_total,
            "dateien": dateien,
        }
        title = f"{_('Application')} {antrag.geschaeftszeichen}"
        return _pdf("dienste/print/antrag.html", title, context)


def eingangsbestaetigung_pdf(antrag: Antrag) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            **_common(antrag),
            "erwartet_bis": erwartet_bis(antrag),
            "fee_total": "" if not antrag.gebuehr else gebuehren.money(antrag.gebuehr),
        }
        title = f"{_('Acknowledgement of receipt')} {antrag.geschaeftszeichen}"
        return _pdf("dienste/print/eingangsbestaetigung.html", title, context)
