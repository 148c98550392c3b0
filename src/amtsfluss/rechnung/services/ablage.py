"""Filing invoices in the E-Akte: the unit's Akte of the year, a Vorgang, Dokumente, Wiedervorlagen.

Everything goes through the E-Akte services with the acting principal, so the Akte's audit
trail shows the intake like any other filing. The callers hold the Mandant's Eingangsnummer
lock (receive) or the Rechnung's row lock (workflow), so an Akte of the year is formed once.
"""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_noop

from amtsfluss.akte.models import Akte, Dokument, Dokumenttyp, Richtung, Vorgang
from amtsfluss.akte.services.akte import jahresakte
from amtsfluss.akte.services.dokument import dokument_create, dokumentversion_add
from amtsfluss.akte.services.vorgang import vorgang_create
from amtsfluss.akte.services.wiedervorlage import wiedervorlage_create
from amtsfluss.core.i18n import stored_text
from amtsfluss.core.models import Organisationseinheit
from amtsfluss.core.permissions import Principal
from amtsfluss.rechnung.invoice.model import Invoice
from amtsfluss.rechnung.invoice.printable import invoice_pdf
from amtsfluss.rechnung.models import Rechnung, RechnungEinstellungen
from amtsfluss.rechnung.validation import ValidationResult

logger = logging.getLogger(__name__)

PDF = "application/pdf"
JSON = "application/json"


@dataclass(frozen=True)
class Anlage:
    """One file to be filed as a Dokument of the invoice's Vorgang."""

    titel: str
    dateiname: str
    media_type: str
    content: bytes
    richtung: str = Richtung.EINGANG
    dokumenttyp: str = Dokumenttyp.RECHNUNG


def media_type_of(data: bytes) -> str:
    return PDF if data.lstrip()[:5] == b"%PDF-" else "application/xml"


def readable_pdf(invoice: Invoice, validation: ValidationResult | None) -> bytes | None:
    """The readable rendition; None if it cannot be made (the invoice is filed without it)."""
    try:
        return invoice_pdf(invoice, validation=validation)
    except Exception:  # a rendering defect must not lose the received invoice
        logger.exception("readable PDF of invoice %s could not be made", invoice.number)
        return None


def validation_report(eingangsnummer_or_name: str, verdict: str, findings: list[Any]) -> bytes:
    report = {"datei": eingangsnummer_or_name, "ergebnis": verdict, "befunde": findings}
    return json.dumps(report, ensure_ascii=False, indent=2).encode()


def anlagen_for(
    *,
    original: bytes,
    dateiname: str,
    invoice: Invoice | None,
    validation: ValidationResult | None,
    verdict: str,
    findings: list[Any],
) -> list[Anlage]:
    """The Dokumente of an invoice: original, readable PDF (if it can be made), Prüfbericht."""
    anlagen = [
        Anlage(
            stored_text(gettext_noop("E-Rechnung (Original)")),
            dateiname,
            media_type_of(original),
            original,
        )
    ]
    if invoice is not None:
        pdf = readable_pdf(invoice, validation)
        if pdf is not None:
            anlagen.append(
                Anlage(
                    stored_text(gettext_noop("E-Rechnung (lesbare Fassung)")),
                    f"{dateiname}.pdf",
                    PDF,
                    pdf,
                )
            )
    anlagen.append(
        Anlage(
            stored_text(gettext_noop("Prüfbericht der E-Rechnung")),
            "pruefbericht.json",
            JSON,
            validation_report(dateiname, verdict, findings),
            richtung=Richtung.INTERN,
            dokumenttyp=Dokumenttyp.VERMERK,
        )
    )
    return anlagen


def rechnungsakte(
    *, principal: Principal, einstellungen: RechnungEinstellungen, unit: Organisationseinheit
) -> Akte | None:
    """The open Akte "Rechnungseingang <year>" of ``unit``, formed on first use."""
    position = einstellungen.aktenplanposition
    if position is None:
        return None
    titel = f"Rechnungseingang {timezone.localdate().year}"
    return jahresakte(principal=principal, position=position, unit=unit, titel=titel)


def _dokument(principal: Principal, vorgang: Vorgang, anlage: Anlage, absender: str) -> Dokument:
    return dokument_create(
        principal=principal,
        vorgang=vorgang,
        titel=anlage.titel,
        dokumentdatum=timezone.localdate(),
        richtung=anlage.richtung,
        dokumenttyp=anlage.dokumenttyp,
        content=io.BytesIO(anlage.content),
        dateiname=anlage.dateiname,
        media_type=anlage.media_type,
        absender_empfaenger=absender[:300],
    )


def file_invoice(
    *,
    principal: Principal,
    rechnung: Rechnung,
    einstellungen: RechnungEinstellungen,
    anlagen: list[Anlage],
) -> Vorgang | None:
    """A Vorgang for the invoice in its unit's Akte, with its Dokumente and Wiedervorlagen."""
    if rechnung.unit is None:
        return None
    akte = rechnungsakte(principal=principal, einstellungen=einstellungen, unit=rechnung.unit)
    if akte is None:
        return None
    betreff = stored_text(
        gettext_noop("Rechnung %(nummer)s von %(seller)s (Eingang %(eingang)s)")
    ) % {
        "nummer": rechnung.rechnungsnummer,
        "seller": rechnung.verkaeufer_name,
        "eingang": rechnung.eingangsnummer,
    }
    vorgang = vorgang_create(
        principal=principal,
        akte=akte,
        betreff=betreff[:300],
        eingangsdatum=timezone.localdate(rechnung.eingegangen_am),
        bearbeitende_oe=rechnung.unit,
        frist=rechnung.faellig_am,
    )
    for anlage in anlagen:
        _dokument(principal, vorgang, anlage, rechnung.verkaeufer_name)
    _wiedervorlagen(principal, rechnung, vorgang, einstellungen.wiedervorlage_tage)
    rechnung.vorgang = vorgang
    rechnung.save(update_fields=["vorgang"])
    return vorgang


def file_duplicate(*, principal: Principal, rechnung: Rechnung, anlage: Anlage) -> None:
    """A duplicate's file goes into its original's Vorgang, so the Akte shows it arrived."""
    original = rechnung.dublette_von
    if original is None or original.vorgang is None:
        return
    titel = stored_text(gettext_noop("Dublette eingegangen (Eingang %s)")) % rechnung.eingangsnummer
    _dokument(
        principal,
        original.vorgang,
        Anlage(titel, anlage.dateiname, anlage.media_type, anlage.content),
        rechnung.verkaeufer_name,
    )
    rechnung.vorgang = original.vorgang
    rechnung.save(update_fields=["vorgang"])


def reminder_date(deadline: date, lead_days: int) -> date:
    """``lead_days`` before ``deadline``, but not in the past."""
    return max(deadline - timedelta(days=lead_days), timezone.localdate())


def _wiedervorlagen(
    principal: Principal, rechnung: Rechnung, vorgang: Vorgang, lead_days: int
) -> None:
    today = timezone.localdate()
    if rechnung.skonto_bis is not None and rechnung.skonto_bis >= today:
        wiedervorlage_create(
            principal=principal,
            faellig_am=reminder_date(rechnung.skonto_bis, lead_days),
            vorgang=vorgang,
            fuer_oe=rechnung.unit,
            notiz=stored_text(gettext_noop("Skonto until %(date)s: %(amount)s %(currency)s"))
            % {
                "date": rechnung.skonto_bis.isoformat(),
                "amount": rechnung.skonto_betrag,
                "currency": rechnung.waehrung,
            },
        )
    if rechnung.faellig_am is not None:
        wiedervorlage_create(
            principal=principal,
            faellig_am=reminder_date(rechnung.faellig_am, lead_days),
            vorgang=vorgang,
            fuer_oe=rechnung.unit,
            notiz=stored_text(gettext_noop("Payment due on %s")) % rechnung.faellig_am.isoformat(),
        )


def freigabeprotokoll(rechnung: Rechnung, anlass: str) -> bytes:
    """The approval trail as JSON: who decided which step when, and the Zahlungslauf."""
    steps = [
        {
            "schritt": s.schritt,
            "entscheidung": s.entscheidung,
            "person": s.user.username,
            "name": s.user.get_full_name(),
            "zeitpunkt": s.at.isoformat(),
            "begruendung": s.begruendung,
            "anordnungsbefugnis_bis": str(s.befugnis.betragsgrenze) if s.befugnis else None,
        }
        for s in rechnung.schritte.select_related("user", "befugnis").order_by("at", "pk")
    ]
    trail = {
        "anlass": anlass,
        "eingangsnummer": rechnung.eingangsnummer,
        "rechnungsnummer": rechnung.rechnungsnummer,
        "rechnungssteller": rechnung.verkaeufer_name,
        "zahlbetrag": str(rechnung.zahlbetrag),
        "waehrung": rechnung.waehrung,
        "status": rechnung.status,
        "zahlungslauf": rechnung.zahlungslauf.nummer if rechnung.zahlungslauf else None,
        "schritte": steps,
    }
    return json.dumps(trail, ensure_ascii=False, indent=2).encode()


def file_freigabeprotokoll(*, principal: Principal, rechnung: Rechnung, anlass: str) -> None:
    """File (or add a version to) the invoice's Freigabeprotokoll in its Vorgang."""
    if rechnung.vorgang is None:
        return
    content = io.BytesIO(freigabeprotokoll(rechnung, anlass))
    name = f"freigabeprotokoll-{rechnung.eingangsnummer}.json"
    if rechnung.freigabe_dokument is None:
        rechnung.freigabe_dokument = _dokument(
            principal,
            rechnung.vorgang,
            Anlage(
                stored_text(gettext_noop("Freigabeprotokoll")),
                name,
                JSON,
                content.getvalue(),
                richtung=Richtung.INTERN,
                dokumenttyp=Dokumenttyp.VERMERK,
            ),
            "",
        )
        rechnung.save(update_fields=["freigabe_dokument"])
    else:
        dokumentversion_add(
            principal=principal,
            dokument=rechnung.freigabe_dokument,
            content=content,
            dateiname=name,
            media_type=JSON,
            kommentar=anlass,
        )
