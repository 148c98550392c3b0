"""The Bescheid as print HTML and as PDF (PDF/A-2b, tagged), from its template and context."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from amtsfluss.bescheid import integration
from amtsfluss.bescheid.context import bescheid_context
from amtsfluss.bescheid.models import Bescheid, BescheidVorlage
from amtsfluss.bescheid.sandbox import euro, render_sandboxed
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.printable import css_string


def vorlage_of(bescheid: Bescheid) -> BescheidVorlage:
    vorlage = BescheidVorlage.objects.filter(leistung_id=bescheid.leistung_id).first()
    if vorlage is None:
        raise ServiceError(_("There is no Bescheid template for this Leistung."))
    return vorlage


def bescheid_html(bescheid: Bescheid, *, signer_name: str = "", datum: date | None = None) -> str:
    """The whole Bescheid as self-contained HTML: the sandboxed template body inside our own
    print layout (heading, fee with GiroCode, signature line, Rechtsbehelfsbelehrung), in the
    administration's language whoever asks (a Bescheid is stored text)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _bescheid_html(bescheid, signer_name=signer_name, datum=datum)


def _bescheid_html(bescheid: Bescheid, *, signer_name: str, datum: date | None) -> str:
    vorlage = vorlage_of(bescheid)
    vorgang = bescheid.vorgang
    forderung = integration.forderung_facts(vorgang)
    context = bescheid_context(
        vorgang=vorgang,
        leistung=bescheid.leistung,
        titel=bescheid.titel,
        tenor_zusatz=bescheid.tenor_zusatz,
        begruendung=bescheid.begruendung,
        antrag=integration.antrag_facts(vorgang),
        forderung=forderung,
        heute=datum,
    )
    koerper = render_sandboxed(vorlage.koerper, context)  # autoescaped by the sandbox
    return render_to_string(
        "bescheid/print/bescheid.html",
        {
            "titel": bescheid.titel,
            "mandant_name": vorgang.mandant.name,
            "unit_name": vorgang.bearbeitende_oe.name,
            "aktenzeichen": vorgang.akte.aktenzeichen,
            "datum": context["heute"],
            "koerper": mark_safe(koerper),  # noqa: S308 - rendered with autoescape in the sandbox
            "tenor_zusatz": bescheid.tenor_zusatz,
            "begruendung": bescheid.begruendung,
            "gebuehr": context["gebuehr"],
            "gebuehr_text": euro(forderung.betrag) if forderung else "",
            "girocode_svg": mark_safe(forderung.girocode_svg) if forderung else "",  # noqa: S308 - the Kasse's own SVG
            "signed_by": signer_name,
            "rechtsbehelfsbelehrung": vorlage.rechtsbehelfsbelehrung,
            "running_header_css": css_string(f"{bescheid.titel} {vorgang.akte.aktenzeichen}"),
        },
    )


def bescheid_pdf(bescheid: Bescheid, *, signer_name: str = "", datum: date | None = None) -> bytes:
    """The Bescheid as PDF; without ``signer_name`` it is marked as a draft."""
    return integration.render_pdf(bescheid_html(bescheid, signer_name=signer_name, datum=datum))
