"""Zahlungslauf: ordered invoices go out as pain.001 and CSV, each invoice at most once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsfluss.akte.models import VorgangStatus
from amtsfluss.akte.services.vorgang import vorgang_update
from amtsfluss.core import audit
from amtsfluss.core.errors import PermissionDenied, ServiceError
from amtsfluss.core.models import Role
from amtsfluss.core.permissions import Principal
from amtsfluss.core.services.blobs import blob_store
from amtsfluss.rechnung.models import Rechnung, RechnungEinstellungen, RechnungStatus, Zahlungslauf
from amtsfluss.rechnung.services.ablage import file_freigabeprotokoll
from amtsfluss.rechnung.services.bankverbindung import bic_for, clean_bic, clean_iban
from amtsfluss.rechnung.services.zahlungsdateien import (
    Auftraggeber,
    Zahlung,
    pain001,
    zahlungs_csv,
)


def _auftraggeber(principal: Principal) -> Auftraggeber:
    """The Mandant's account; the settings row is locked, so runs are numbered one by one."""
    row = RechnungEinstellungen.objects.select_for_update().filter(mandant=principal.mandant)
    einstellungen = row.first()
    if einstellungen is None or not (
        einstellungen.zahlungspflichtiger_name and einstellungen.zahlungspflichtiger_iban
    ):
        raise ServiceError(_("The paying account (name and IBAN) is not configured."))
    return Auftraggeber(
        name=einstellungen.zahlungspflichtiger_name,
        iban=einstellungen.zahlungspflichtiger_iban,
        bic=einstellungen.zahlungspflichtiger_bic,
    )


def skonto_applies(rechnung: Rechnung, ausfuehrung: date) -> bool:
    return (
        rechnung.skonto_bis is not None
        and rechnung.skonto_betrag is not None
        and ausfuehrung <= rechnung.skonto_bis
    )


def zahlung_of(rechnung: Rechnung, ausfuehrung: date) -> Zahlung:
    """The payment for one invoice, its creditor account checked with schwifty."""
    label = rechnung.eingangsnummer
    if rechnung.ist_gutschrift or rechnung.zahlbetrag is None or rechnung.zahlbetrag <= 0:
        raise ServiceError(_("%s: there is nothing to pay (credit note or zero amount).") % label)
    if rechnung.waehrung != "EUR":
        raise ServiceError(_("%s: SEPA transfers are made in EUR only.") % label)
    if not rechnung.iban:
        raise ServiceError(_("%s: the invoice names no IBAN to pay to.") % label)
    try:
        iban = clean_iban(rechnung.iban)
        bic = clean_bic(rechnung.bic) or bic_for(iban)
    except ServiceError as exc:
        raise ServiceError(f"{label}: {exc.message}") from None
    skonto = rechnung.skonto_betrag if skonto_applies(rechnung, ausfuehrung) else Decimal("0.00")
    assert skonto is not None  # noqa: S101 — skonto_applies checked it
    return Zahlung(rechnung, iban, bic, rechnung.zahlbetrag - skonto, skonto)


def _same_run(locked: list[Rechnung]) -> Zahlungslauf | None:
    """The Zahlungslauf these invoices already form together (a repeated request), if any."""
    runs = {r.zahlungslauf_id for r in locked}
    run_id = runs.pop() if len(runs) == 1 else None
    if run_id is None:
        return None
    run = Zahlungslauf.objects.get(pk=run_id)
    return run if run.rechnungen.count() == len(locked) else None


def _next_nummer(principal: Principal, ausfuehrung: date) -> str:
    count = Zahlungslauf.objects.filter(
        mandant=principal.mandant, nummer__startswith=f"ZL-{ausfuehrung.year}-"
    ).count()
    return f"ZL-{ausfuehrung.year}-{count + 1:04d}"


def zahlungslauf_create(
    *,
    principal: Principal,
    rechnungen: Sequence[Rechnung],
    ausfuehrungsdatum: date | None = None,
) -> Zahlungslauf:
    """Export angeordnete invoices as one pain.001 and CSV; they go to status zur Zahlung.

    Repeating the request with the same invoices returns the same Zahlungslauf; an invoice that
    is in another Zahlungslauf, or not angeordnet, refuses the whole request.
    """
    if not principal.allows("change") or not principal.has_role(Role.KASSE):
        raise PermissionDenied(_("Only the Kasse creates payment runs."))
    ausfuehrung = ausfuehrungsdatum or timezone.localdate()
    if ausfuehrung < timezone.localdate():
        raise ServiceError(_("The execution date lies in the past."))
    ids = sorted({r.pk for r in rechnungen})
    if not ids:
        raise ServiceError(_("Please choose the invoices to pay."))
    with transaction.atomic():
        auftraggeber = _auftraggeber(principal)
        locked = list(
            Rechnung.objects.select_for_update()
            .filter(mandant=principal.mandant, pk__in=ids)
            .order_by("pk")
        )
        if len(locked) != len(ids):
            raise ServiceError(_("One of the invoices does not exist."))
        repeated = _same_run(locked)
        if repeated is not None:
            return repeated
        refused = [r.eingangsnummer for r in locked if r.status != RechnungStatus.ANGEORDNET]
        if refused:
            raise ServiceError(
                _("Only angeordnete invoices not yet paid can be exported: %s")
                % ", ".join(refused),
                code="conflict",
            )
        zahlungen = [zahlung_of(r, ausfuehrung) for r in locked]
        pain = pain001(auftraggeber=auftraggeber, zahlungen=zahlungen, ausfuehrung=ausfuehrung)
        table = zahlungs_csv(zahlungen=zahlungen, ausfuehrung=ausfuehrung)
        run = Zahlungslauf.objects.create(
            mandant=principal.mandant,
            nummer=_next_nummer(principal, ausfuehrung),
            ausfuehrungsdatum=ausfuehrung,
            pain001=blob_store(mandant=principal.mandant, content=pain),
            csv=blob_store(mandant=principal.mandant, content=table),
            anzahl=len(zahlungen),
            summe=sum((z.betrag for z in zahlungen), Decimal("0.00")),
            created_by=principal.user,
        )
        for rechnung in locked:
            rechnung.zahlungslauf = run
            rechnung.status = RechnungStatus.ZUR_ZAHLUNG
            rechnung.save(update_fields=["zahlungslauf", "status"])
            anlass = _("Zahlungslauf %s") % run.nummer
            file_freigabeprotokoll(principal=principal, rechnung=rechnung, anlass=anlass)
            if rechnung.vorgang is not None and rechnung.vorgang.status != VorgangStatus.ERLEDIGT:
                vorgang_update(
                    principal=principal, vorgang=rechnung.vorgang, status=VorgangStatus.ERLEDIGT
                )
        audit.record_action(
            principal,
            "rechnung.zahlungslauf_create",
            run,
            nummer=run.nummer,
            anzahl=run.anzahl,
            summe=str(run.summe),
            eingangsnummern=[r.eingangsnummer for r in locked],
        )
    return run
