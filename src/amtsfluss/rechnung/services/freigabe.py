"""The approval of an invoice: sachlich richtig → rechnerisch richtig → Anordnung; Zurückweisung.

Each decision locks the Rechnung row and checks the status it expects inside the transaction:
of two people clicking at once, exactly one decides, the other gets a ``ServiceError`` (code
``conflict``). The unique (rechnung, schritt) constraint is the last line of defence.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from amtsfluss.akte.models import VorgangStatus
from amtsfluss.akte.services.vorgang import vorgang_update
from amtsfluss.core import audit
from amtsfluss.core.errors import PermissionDenied, ServiceError
from amtsfluss.core.permissions import Principal
from amtsfluss.core.tasks import enqueue_on_commit, send_mail_task
from amtsfluss.rechnung.models import (
    Entscheidung,
    Pruefschritt,
    Rechnung,
    RechnungStatus,
    Schritt,
)
from amtsfluss.rechnung.services.ablage import file_freigabeprotokoll
from amtsfluss.rechnung.services.schritte import (
    CONFIRMED_STATUS,
    EXPECTED_STATUS,
    OPEN_STEP,
    anordnungsbefugnis_for,
    may_clear,
    may_decide,
    require_may_confirm,
)

MAX_REASON = 2000


def _locked(principal: Principal, rechnung: Rechnung) -> Rechnung:
    """The Rechnung as committed now, row-locked until the transaction ends."""
    return (
        Rechnung.objects.select_for_update(of=("self",))
        .select_related("mandant", "unit", "vorgang", "freigabe_dokument")
        .get(pk=rechnung.pk, mandant=principal.mandant)
    )


def _conflict(current: Rechnung) -> ServiceError:
    return ServiceError(
        _("This step has already been decided; the invoice is now “%s”.")
        % current.get_status_display(),
        code="conflict",
    )


def _confirm(*, principal: Principal, rechnung: Rechnung, step: str, bemerkung: str) -> Rechnung:
    with transaction.atomic():
        current = _locked(principal, rechnung)
        if current.status != EXPECTED_STATUS[step]:
            raise _conflict(current)
        require_may_confirm(principal, current, step)
        befugnis = anordnungsbefugnis_for(principal, current) if step == Schritt.ANORDNUNG else None
        Pruefschritt.objects.create(
            mandant=principal.mandant,
            rechnung=current,
            schritt=step,
            entscheidung=Entscheidung.BESTAETIGT,
            user=principal.user,
            befugnis=befugnis,
            begruendung=bemerkung.strip()[:MAX_REASON],
            at=timezone.now(),
        )
        current.status = CONFIRMED_STATUS[step]
        current.save(update_fields=["status"])
        if step == Schritt.ANORDNUNG:
            file_freigabeprotokoll(principal=principal, rechnung=current, anlass=_("Anordnung"))
        audit.record_action(
            principal,
            f"rechnung.{step}",
            current,
            eingangsnummer=current.eingangsnummer,
            status=current.status,
            befugnis=befugnis.pk if befugnis is not None else None,
            befugnis_von=befugnis.user.username if befugnis is not None else None,
        )
    return current


def rechnung_sachlich_richtig(
    *, principal: Principal, rechnung: Rechnung, bemerkung: str = ""
) -> Rechnung:
    """Confirm that goods or services were received as ordered (staff of the unit)."""
    return _confirm(
        principal=principal, rechnung=rechnung, step=Schritt.SACHLICH_RICHTIG, bemerkung=bemerkung
    )


def rechnung_rechnerisch_richtig(
    *, principal: Principal, rechnung: Rechnung, bemerkung: str = ""
) -> Rechnung:
    """Confirm the amounts (Rechnungsprüfung or staff of the unit; not the first signer)."""
    return _confirm(
        principal=principal,
        rechnung=rechnung,
        step=Schritt.RECHNERISCH_RICHTIG,
        bemerkung=bemerkung,
    )


def rechnung_anordnen(*, principal: Principal, rechnung: Rechnung, bemerkung: str = "") -> Rechnung:
    """Order the payment (Anordnungsbefugnis over unit and amount; a third person)."""
    return _confirm(
        principal=principal, rechnung=rechnung, step=Schritt.ANORDNUNG, bemerkung=bemerkung
    )


def _may_reject(principal: Principal, rechnung: Rechnung) -> bool:
    step = OPEN_STEP.get(rechnung.status)
    if step is not None:
        return may_decide(principal, rechnung, step)
    if rechnung.status in (RechnungStatus.KLAERUNG, RechnungStatus.DUBLETTE):
        return may_clear(principal, rechnung)
    return False


def rechnung_zurueckweisen(
    *,
    principal: Principal,
    rechnung: Rechnung,
    begruendung: str,
    erwarteter_status: str | None = None,
) -> Rechnung:
    """Reject the invoice at its open step, with a reason; the seller is told by e-mail.

    ``erwarteter_status`` is the status the person saw (pages pass it): if the invoice moved on
    meanwhile, the rejection is a conflict instead of hitting a step the person did not see.
    """
    begruendung = begruendung.strip()
    if not begruendung:
        raise ServiceError(_("Please give the reason for the rejection."))
    with transaction.atomic():
        current = _locked(principal, rechnung)
        if erwarteter_status is not None and current.status != erwarteter_status:
            raise _conflict(current)
        step = OPEN_STEP.get(current.status)
        if step is None and current.status not in (
            RechnungStatus.KLAERUNG,
            RechnungStatus.DUBLETTE,
        ):
            raise _conflict(current)
        if not _may_reject(principal, current):
            raise PermissionDenied(_("You may not reject this invoice at its current step."))
        if step is not None:
            Pruefschritt.objects.create(
                mandant=principal.mandant,
                rechnung=current,
                schritt=step,
                entscheidung=Entscheidung.ZURUECKGEWIESEN,
                user=principal.user,
                begruendung=begruendung[:MAX_REASON],
                at=timezone.now(),
            )
        current.status = RechnungStatus.ZURUECKGEWIESEN
        current.save(update_fields=["status"])
        notified = _notify_seller(current, begruendung)
        if step is not None:
            file_freigabeprotokoll(principal=principal, rechnung=current, anlass=_("Zurückweisung"))
        _close_vorgang(principal, current)
        audit.record_action(
            principal,
            "rechnung.zurueckweisen",
            current,
            eingangsnummer=current.eingangsnummer,
            schritt=step,
            begruendung=begruendung[:MAX_REASON],
            benachrichtigt=notified,
        )
    return current


def _close_vorgang(principal: Principal, rechnung: Rechnung) -> None:
    """The invoice's own Vorgang is done (a duplicate shares its original's and leaves it)."""
    vorgang = rechnung.vorgang
    if vorgang is None or rechnung.ist_dublette or vorgang.status == VorgangStatus.ERLEDIGT:
        return
    vorgang_update(principal=principal, vorgang=vorgang, status=VorgangStatus.ERLEDIGT)


def _notify_seller(rechnung: Rechnung, begruendung: str) -> bool:
    """Mail the rejection to the seller's e-mail address (on commit); False if there is none."""
    if not rechnung.verkaeufer_email:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your invoice %(number)s to %(mandant)s was rejected") % {
            "number": rechnung.rechnungsnummer,
            "mandant": rechnung.mandant.name,
        }
        body = _(
            "Dear Sir or Madam,\n\nyour invoice %(number)s of %(date)s (our receipt number "
            "%(eingang)s) was rejected for the following reason:\n\n%(reason)s\n\n"
            "Please send a corrected invoice if it is still owed.\n\n%(mandant)s"
        ) % {
            "number": rechnung.rechnungsnummer,
            "date": rechnung.rechnungsdatum.isoformat() if rechnung.rechnungsdatum else "",
            "eingang": rechnung.eingangsnummer,
            "reason": begruendung,
            "mandant": rechnung.mandant.name,
        }
    reply_to = [rechnung.unit.email] if rechnung.unit is not None and rechnung.unit.email else []
    enqueue_on_commit(
        send_mail_task,
        subject=subject,
        body=body,
        to=[rechnung.verkaeufer_email],
        reply_to=reply_to,
    )
    return True
