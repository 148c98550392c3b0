"""The Bescheid's workflow: draft → Schlusszeichnung requested → signed (PDF, seal, filed) →
delivered; each step one transaction holding the Bescheid's row lock, with its audit event
(the Schlusszeichnung renders and seals between two such transactions, see ``bescheid_sign``).

Callers fetch the objects with the permission engine first: the Vorgang with
``access_vorgang(..., Action.CHANGE)`` to draft, the Bescheid with ``access_bescheid(...,
Action.CHANGE)`` to edit or ask for the Schlusszeichnung, and with ``access_bescheid(...,
SIGN)`` to sign. The services add the four-eyes rules.
"""

from __future__ import annotations

import io

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from amtsfluss.akte.models import Dokument, Dokumenttyp, Richtung, Vorgang
from amtsfluss.akte.services.dokument import dokument_create
from amtsfluss.akte.services.vorgang import require_open
from amtsfluss.bescheid import integration
from amtsfluss.bescheid.models import Bescheid, BescheidStatus, BescheidVorlage
from amtsfluss.bescheid.models.bescheid import OPEN_STATES
from amtsfluss.bescheid.printing import bescheid_html, bescheid_pdf
from amtsfluss.bescheid.selectors import signers_for
from amtsfluss.core import audit
from amtsfluss.core.errors import PermissionDenied, ServiceError
from amtsfluss.core.i18n import stored_text
from amtsfluss.core.models import User
from amtsfluss.core.permissions import Principal
from amtsfluss.dienste.models import Leistung

MAX_TEXT = 20_000


def IN_PROGRESS() -> str:  # noqa: N802 - a message, named like one
    return _("This Vorgang already has a Bescheid in progress.")


def _locked(bescheid: Bescheid) -> Bescheid:
    return (
        Bescheid.objects.select_for_update(of=("self",))
        .select_related("vorgang__akte", "vorgang__bearbeitende_oe", "vorgang__mandant", "leistung")
        .get(pk=bescheid.pk)
    )


def _clean_text(value: str, label: str) -> str:
    value = value.replace("\r\n", "\n").strip()
    if len(value) > MAX_TEXT:
        raise ServiceError(
            _("%(field)s is longer than %(limit)d characters.")
            % {"field": label, "limit": MAX_TEXT}
        )
    if any(ord(c) < 32 and c not in "\n\t" for c in value):
        raise ServiceError(_("%(field)s contains control characters.") % {"field": label})
    return value


def _require_status(bescheid: Bescheid, *states: str) -> None:
    if bescheid.status not in states:
        raise ServiceError(
            _("The Bescheid is “%(status)s”; this step is not possible now.")
            % {"status": bescheid.get_status_display()},
            code="conflict",
        )


def bescheid_create(*, principal: Principal, vorgang: Vorgang, leistung: Leistung) -> Bescheid:
    """Start a draft from the Leistung's template (one open Bescheid per Vorgang)."""
    if leistung.mandant_id != principal.mandant.pk or vorgang.mandant_id != principal.mandant.pk:
        raise ServiceError(_("This Leistung does not exist."))
    vorlage = BescheidVorlage.objects.filter(leistung=leistung).first()
    if vorlage is None:
        raise ServiceError(_("There is no Bescheid template for this Leistung."))
    with transaction.atomic():
        vorgang = Vorgang.objects.select_for_update().select_related("akte").get(pk=vorgang.pk)
        require_open(vorgang.akte)
        if Bescheid.objects.filter(vorgang=vorgang, status__in=OPEN_STATES).exists():
            raise ServiceError(
                _("This Vorgang already has a Bescheid in progress."), code="conflict"
            )
        try:
            with transaction.atomic():
                bescheid = Bescheid.objects.create(
                    mandant=principal.mandant,
                    vorgang=vorgang,
                    leistung=leistung,
                    titel=vorlage.titel,
                    drafted_by=principal.user,
                )
        except IntegrityError as error:  # a concurrent draft won the race
            raise ServiceError(IN_PROGRESS(), code="conflict") from error
        audit.record_action(
            principal, "bescheid.create", bescheid, vorgang=vorgang.pk, leistung=leistung.pk
        )
    return bescheid


def bescheid_update(
    *, principal: Principal, bescheid: Bescheid, titel: str, tenor_zusatz: str, begruendung: str
) -> Bescheid:
    """Change the free-text parts of a draft."""
    titel = _clean_text(titel, _("Title")).replace("\n", " ")
    if not titel or len(titel) > 200:
        raise ServiceError(_("A Bescheid needs a title of at most 200 characters."))
    tenor_zusatz = _clean_text(tenor_zusatz, _("Addition to the Tenor"))
    begruendung = _clean_text(begruendung, _("Begründung"))
    with transaction.atomic():
        bescheid = _locked(bescheid)
        _require_status(bescheid, BescheidStatus.ENTWURF)
        bescheid.titel, bescheid.tenor_zusatz, bescheid.begruendung = (
            titel,
            tenor_zusatz,
            begruendung,
        )
        bescheid.save(update_fields=["titel", "tenor_zusatz", "begruendung", "updated_at"])
        audit.record_action(principal, "bescheid.update", bescheid)
    return bescheid


def bescheid_request_signature(
    *, principal: Principal, bescheid: Bescheid, signer: User
) -> Bescheid:
    """Ask ``signer`` (an Amtsleitung over the Vorgang's unit, not the drafter, not oneself)
    for the Schlusszeichnung. The template must render first: a broken one is found now."""
    with transaction.atomic():
        bescheid = _locked(bescheid)
        _require_status(bescheid, BescheidStatus.ENTWURF)
        if (
            signer.pk in (bescheid.drafted_by_id, principal.user.pk)
            or not signers_for(vorgang=bescheid.vorgang).filter(pk=signer.pk).exists()
        ):
            raise ServiceError(
                _("Only an Amtsleitung over the unit other than the drafter can sign.")
            )
        bescheid_html(bescheid)
        bescheid.status = BescheidStatus.ZUR_SCHLUSSZEICHNUNG
        bescheid.requested_from = signer
        bescheid.requested_at = timezone.now()
        bescheid.save(update_fields=["status", "requested_from", "requested_at", "updated_at"])
        audit.record_action(
            principal, "bescheid.request_signature", bescheid, requested_from=signer.username
        )
    return bescheid


def bescheid_return(*, principal: Principal, bescheid: Bescheid, note: str = "") -> Bescheid:
    """Send a Bescheid awaiting the Schlusszeichnung back to draft (to change it)."""
    note = _clean_text(note, _("Note"))
    with transaction.atomic():
        bescheid = _locked(bescheid)
        _require_status(bescheid, BescheidStatus.ZUR_SCHLUSSZEICHNUNG)
        bescheid.status = BescheidStatus.ENTWURF
        bescheid.requested_from = None
        bescheid.requested_at = None
        bescheid.save(update_fields=["status", "requested_from", "requested_at", "updated_at"])
        audit.record_action(principal, "bescheid.return", bescheid, note=note[:500])
    return bescheid


def _require_may_sign(principal: Principal, bescheid: Bescheid) -> None:
    if bescheid.requested_from_id not in principal.acting_user_ids():
        raise PermissionDenied(_("The Schlusszeichnung was asked of someone else."))
    if principal.user.pk == bescheid.drafted_by_id:
        raise PermissionDenied(_("Whoever drafted a Bescheid cannot sign it."))


def bescheid_sign(*, principal: Principal, bescheid: Bescheid) -> Bescheid:
    """The Schlusszeichnung in three steps, so that no lock is held while the PDF is rendered
    and sealed (1–2 s; a time stamp authority may take up to its timeout), because the audit
    chain and the Kassenzeichen counter are locked per Mandant:

    1. one short transaction checks the step and the signer and claims the Antrag's fee with
       the Kasse (Kassenzeichen, GiroCode) unless it is claimed already;
    2. without a transaction: render the PDF (signed by the principal, with Kassenzeichen and
       GiroCode) and seal it;
    3. one transaction under the Bescheid's row lock checks that nobody signed, returned or
       changed it meanwhile (else a conflict: a second click finds it signed), files the PDF
       as a Dokument of the Vorgang, delivers it and marks the Antrag decided.

    A missing seal is found before step 1. Any other failure in step 2 leaves the fee claimed
    (a Kassenzeichen once given is not taken back) and the Bescheid awaiting its
    Schlusszeichnung; the next attempt reuses the Forderung."""
    integration.require_seal(principal.mandant)
    with transaction.atomic():
        bescheid = _locked(bescheid)
        _require_signable(principal, bescheid)
        vorgang = bescheid.vorgang
        integration.fee_claim(
            principal=principal,
            vorgang=vorgang,
            zweck=f"{bescheid.leistung.name} {vorgang.akte.aktenzeichen}",
        )
    seen = bescheid.updated_at
    signer_name = principal.user.get_full_name() or principal.user.username
    now = timezone.now()
    pdf = integration.seal(
        mandant=principal.mandant,
        pdf=bescheid_pdf(bescheid, signer_name=signer_name, datum=timezone.localdate(now)),
        reason=f"{bescheid.titel} {vorgang.akte.aktenzeichen}",
        signer_name=signer_name,
    )
    with transaction.atomic():
        bescheid = _locked(bescheid)
        _require_signable(principal, bescheid)
        if bescheid.updated_at != seen:
            raise ServiceError(
                _("The Bescheid was changed while it was being signed; please sign again."),
                code="conflict",
            )
        vorgang = bescheid.vorgang
        dokument = dokument_create(
            principal=principal,
            vorgang=vorgang,
            titel=bescheid.titel,
            dokumentdatum=timezone.localdate(now),
            richtung=Richtung.AUSGANG,
            dokumenttyp=Dokumenttyp.BESCHEID,
            content=io.BytesIO(pdf),
            dateiname=f"Bescheid-{vorgang.akte.aktenzeichen}.pdf",
            media_type="application/pdf",
            kommentar=stored_text(gettext_noop("signed by %(name)s")) % {"name": signer_name},
        )
        bescheid.status = BescheidStatus.GEZEICHNET
        bescheid.signed_by = principal.user
        bescheid.signed_at = now
        bescheid.dokument = dokument
        bescheid.save(update_fields=["status", "signed_by", "signed_at", "dokument", "updated_at"])
        audit.record_action(principal, "bescheid.sign", bescheid, dokument=dokument.pk)
        _deliver(principal, bescheid, dokument)
    return bescheid


def _require_signable(principal: Principal, bescheid: Bescheid) -> None:
    _require_status(bescheid, BescheidStatus.ZUR_SCHLUSSZEICHNUNG)
    _require_may_sign(principal, bescheid)
    require_open(bescheid.vorgang.akte)


def _deliver(principal: Principal, bescheid: Bescheid, dokument: Dokument) -> None:
    """Deliver a signed Bescheid to the applicant and mark the Antrag decided (inside the
    signing transaction; the Postfach sends its notice on commit)."""
    delivered = integration.deliver(
        principal=principal, vorgang=bescheid.vorgang, betreff=bescheid.titel, dokument=dokument
    )
    integration.mark_decided(principal=principal, vorgang=bescheid.vorgang)
    if delivered:
        bescheid.status = BescheidStatus.ZUGESTELLT
        bescheid.zugestellt_at = timezone.now()
        bescheid.save(update_fields=["status", "zugestellt_at", "updated_at"])
        audit.record_action(principal, "bescheid.deliver", bescheid)
