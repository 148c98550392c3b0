"""The Bescheid's calls into the parts built alongside it (issue 5), each in one function:

* ``antrag_facts`` — the Antrag of the Vorgang (``dienste.selectors.antrag.antrag_for_vorgang``)
  with its entries evaluated by its form version
* ``forderung_facts`` — the fee (``kasse.selectors.forderung_for_vorgang``) with its GiroCode
  (``kasse.girocode.girocode_svg``)
* ``fee_claim`` — the Bescheid sets the Antrag's fee: ``kasse.services.forderung.forderung_create``
  when the Vorgang has no Forderung yet
* ``render_pdf`` — ``core.printable.html_to_pdf(html, ua=True)``: PDF/A-2b, tagged, PDF/UA-1
* ``require_seal`` — ``siegel.selectors.siegel_for`` (is a seal configured?)
* ``seal`` — ``siegel.services.seal_pdf`` (PAdES with the Mandant's seal; refuses without one)
* ``deliver`` — ``postfach.services.nachricht_zustellen`` (art ``bescheid``)
* ``mark_decided`` — ``dienste.services.antrag.antrag_status_set(status="entschieden")``
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_noop

from amtsfluss.akte.models import Dokument, Vorgang
from amtsfluss.core.i18n import stored_text
from amtsfluss.core.models import Mandant
from amtsfluss.core.permissions import Principal
from amtsfluss.core.printable import html_to_pdf
from amtsfluss.dienste.formdef.evaluate import evaluate
from amtsfluss.dienste.formdef.model import Definition
from amtsfluss.dienste.models import AntragStatus
from amtsfluss.dienste.selectors.antrag import antrag_for_vorgang
from amtsfluss.dienste.selectors.entwurf import definition_of
from amtsfluss.dienste.services.antrag import antrag_status_set
from amtsfluss.kasse.girocode import girocode_svg
from amtsfluss.kasse.selectors import forderung_for_vorgang
from amtsfluss.kasse.services.forderung import forderung_create
from amtsfluss.postfach.models import Art
from amtsfluss.postfach.services import nachricht_zustellen
from amtsfluss.siegel.selectors import siegel_for
from amtsfluss.siegel.services import seal_pdf

ZAHLUNGSFRIST_TAGE = 30
BESCHEID_TEXT = gettext_noop(
    "Your Bescheid has been decided and signed. You find it as a PDF attached to this message."
)


@dataclass(frozen=True)
class AntragFacts:
    values: dict[str, Any]
    """The form data as typed values by field id (groups: lists of such dicts)."""
    definition: Definition
    name: str
    email: str
    eingereicht_am: datetime
    gebuehr: Decimal | None
    leistung_id: int


@dataclass(frozen=True)
class ForderungFacts:
    betrag: Decimal
    kassenzeichen: str
    zweck: str
    faellig_am: date | None
    girocode_svg: str
    """Inline SVG from the Kasse (with its own text alternative, safe to embed)."""


def antrag_facts(vorgang: Vorgang) -> AntragFacts | None:
    """The Antrag behind the Vorgang with its entries evaluated by its form version (typed
    values, as the summary page showed them); ``None`` for a Vorgang that is no Antrag."""
    antrag = antrag_for_vorgang(vorgang)
    if antrag is None:
        return None
    definition = definition_of(antrag.formularversion)
    evaluation = evaluate(
        definition,
        antrag.daten,
        antrag.wiederholungen,
        today=timezone.localdate(antrag.eingereicht_am),
    )
    return AntragFacts(
        values=evaluation.values,
        definition=definition,
        name=antrag.antragsteller_name,
        email=antrag.antragsteller_email,
        eingereicht_am=antrag.eingereicht_am,
        gebuehr=antrag.gebuehr,
        leistung_id=antrag.leistung_id,
    )


def forderung_facts(vorgang: Vorgang) -> ForderungFacts | None:
    """The fee of the Vorgang with Kassenzeichen and GiroCode; ``None`` without one."""
    forderung = forderung_for_vorgang(vorgang)
    if forderung is None:
        return None
    return ForderungFacts(
        betrag=forderung.betrag,
        kassenzeichen=forderung.kassenzeichen,
        zweck=forderung.zweck,
        faellig_am=forderung.faellig_am,
        girocode_svg=girocode_svg(forderung),
    )


def fee_claim(*, principal: Principal, vorgang: Vorgang, zweck: str) -> None:
    """Claim the Antrag's fee with the Kasse (Kassenzeichen, GiroCode) unless the Vorgang has a
    Forderung already; due ``ZAHLUNGSFRIST_TAGE`` after the Bescheid. The applicant pays from
    the status page (its payment part finds the Forderung by the Vorgang)."""
    antrag = antrag_for_vorgang(vorgang)
    if antrag is None or not antrag.gebuehr or forderung_for_vorgang(vorgang) is not None:
        return
    forderung_create(
        mandant=principal.mandant,
        betrag=antrag.gebuehr,
        zweck=zweck[:140],
        vorgang=vorgang,
        faellig_am=timezone.localdate() + timedelta(days=ZAHLUNGSFRIST_TAGE),
        by=principal.user,
    )


def render_pdf(html: str) -> bytes:
    """The Bescheid as PDF/A-2b, tagged, identified as PDF/UA-1."""
    return html_to_pdf(html, ua=True)


def require_seal(mandant: Mandant) -> None:
    """ServiceError when the Mandant has no seal configured (checked before anything is done)."""
    siegel_for(mandant)


def seal(*, mandant: Mandant, pdf: bytes, reason: str, signer_name: str) -> bytes:
    """The PDF with the Mandant's electronic seal (ServiceError when none is configured: a
    Bescheid never leaves unsealed)."""
    return seal_pdf(mandant=mandant, pdf=pdf, reason=reason, signer_name=signer_name)


def deliver(*, principal: Principal, vorgang: Vorgang, betreff: str, dokument: Dokument) -> bool:
    """Deliver the Bescheid to the applicant's Postfach (the Postfach mails a notice on commit,
    never the document); whether it was delivered — not when the Vorgang has no applicant."""
    antrag = antrag_for_vorgang(vorgang)
    if antrag is None or not antrag.antragsteller_email:
        return False
    nachricht_zustellen(
        principal=principal,
        vorgang=vorgang,
        art=Art.BESCHEID,
        betreff=betreff,
        text=stored_text(BESCHEID_TEXT),
        dokumente=[dokument],
        empfaenger_email=antrag.antragsteller_email,
    )
    return True


def mark_decided(*, principal: Principal, vorgang: Vorgang) -> None:
    """Set the Antrag's status to ``entschieden`` (a timeline event and the status mail)."""
    antrag = antrag_for_vorgang(vorgang)
    if antrag is not None:
        antrag_status_set(antrag=antrag, status=AntragStatus.ENTSCHIEDEN, by=principal.user)
