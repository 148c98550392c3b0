"""Writing to and receiving from the applicant of a Vorgang.

``nachricht_zustellen`` delivers a message (a Bescheid, the Eingangsbestätigung, a note) with
Dokumente of the Vorgang; ``rueckfrage_stellen`` asks for information or documents, with an
optional Frist that becomes a Wiedervorlage of the Vorgang; ``antwort_empfangen`` takes the
applicant's answer, its files through the Posteingang checks and pipeline into the same
Vorgang. Mails leave on commit and never carry the content, only the notice and a link.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from amtsfluss.akte.models import AktenStatus, Dokument, Vorgang, VorgangStatus
from amtsfluss.akte.services.vorgang import vorgang_update
from amtsfluss.akte.services.wiedervorlage import wiedervorlage_create
from amtsfluss.core import audit
from amtsfluss.core.errors import PermissionDenied, ServiceError
from amtsfluss.core.i18n import stored_text
from amtsfluss.core.models import MandantHost, User
from amtsfluss.core.permissions import Action, Principal, permitted
from amtsfluss.core.services.technical_users import technical_principal
from amtsfluss.core.tasks import enqueue_on_commit, send_mail_task
from amtsfluss.dienste.models import AntragStatus
from amtsfluss.posteingang.models import Kanal
from amtsfluss.posteingang.services.eingang import Datei, eingang_receive
from amtsfluss.postfach.models import Art, Nachricht, Richtung
from amtsfluss.postfach.selectors import antrag_for

MAX_TEXT = 20_000

__all__ = ["antwort_empfangen", "nachricht_zustellen", "rueckfrage_stellen"]


# --- checks ------------------------------------------------------------------------------------


def check_may_write(principal: Principal, vorgang: Vorgang) -> None:
    """Who may work on the Vorgang may write to its applicant (one query)."""
    allowed = permitted(Vorgang, principal=principal, action=Action.CHANGE).filter(pk=vorgang.pk)
    if not allowed.exists():
        raise PermissionDenied(_("You may not write to the applicant of this Vorgang."))


def _require_open(vorgang: Vorgang) -> None:
    if vorgang.akte.status != AktenStatus.OFFEN:
        raise ServiceError(_("This case is closed; no more messages can be exchanged."))


def _clean_email(value: str) -> str:
    value = value.strip()
    try:
        validate_email(value)
    except ValidationError:
        raise ServiceError(_("Enter a valid e-mail address of the applicant.")) from None
    return value


def _clean_text(betreff: str, text: str) -> tuple[str, str]:
    betreff, text = betreff.strip(), text.strip()
    if not betreff:
        raise ServiceError(_("A message needs a subject."))
    if len(text) > MAX_TEXT:
        raise ServiceError(_("The text is longer than %d characters.") % MAX_TEXT)
    return betreff[:300], text


def _check_dokumente(vorgang: Vorgang, dokumente: Sequence[Dokument]) -> None:
    """Only Dokumente of this very Vorgang go to its applicant."""
    if any(d.mandant_id != vorgang.mandant_id or d.vorgang_id != vorgang.pk for d in dokumente):
        raise ServiceError(_("Only Dokumente of this Vorgang can be sent to its applicant."))


# --- side effects ------------------------------------------------------------------------------


def _site(vorgang: Vorgang) -> str:
    host = (
        MandantHost.objects.filter(mandant_id=vorgang.mandant_id)
        .order_by("pk")
        .values_list("hostname", flat=True)
        .first()
    )
    return f"https://{host}/dienste/" if host else ""


def postfach_link(vorgang: Vorgang) -> str:
    """The absolute link to the Postfach on the applicant's status page, for a Vorgang formed
    from an online Antrag (its status link is derived from the stored submission key)."""
    from amtsfluss.dienste.services.antrag import status_link

    antrag = antrag_for(vorgang)
    if antrag is None:
        return ""
    return status_link(antrag) + "#postfach"


def _notice_applicant(nachricht: Nachricht, link: str) -> None:
    """'You have a new message' — the reference and where to read it, never the content; in
    the administration's language (the mail is not an answer to the clerk's request)."""
    vorgang = nachricht.vorgang
    where = link or postfach_link(vorgang)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("New message about your application (%s)") % vorgang.akte.aktenzeichen
        lines = [
            _("There is a new message for you in the Postfach of your application."),
            _("For your protection this e-mail does not contain it."),
        ]
        if where:
            lines.append(where)
        else:
            lines.append(
                _(
                    "Open the status page with the link from your confirmation of receipt "
                    "to read it."
                )
            )
            lines.append(_site(vorgang))
    body = "\n\n".join(line for line in lines if line)
    enqueue_on_commit(send_mail_task, subject=subject, body=body, to=[nachricht.empfaenger_email])


def _notice_staff(nachricht: Nachricht) -> None:
    bearbeiter = nachricht.vorgang.bearbeiter
    if bearbeiter is None or not bearbeiter.email:
        return
    subject = _("Answer of the applicant: %s") % nachricht.vorgang.akte.aktenzeichen
    body = _("The applicant has answered in the Postfach of the Vorgang “%s”.") % (
        nachricht.vorgang.betreff
    )
    enqueue_on_commit(send_mail_task, subject=subject, body=body, to=[bearbeiter.email])


def _antrag_status(vorgang: Vorgang, status: str, by: User | None, note: str) -> None:
    """Move the Antrag of the Vorgang (if the application came online) to ``status``: a
    timeline event and the status mail to the applicant on commit (``dienste``)."""
    from amtsfluss.dienste.services.antrag import antrag_status_set  # dienste builds on us

    antrag = antrag_for(vorgang)
    if antrag is not None and antrag.status != status:
        antrag_status_set(antrag=antrag, status=status, by=by, note=note)


def _vorgang_status(principal: Principal, vorgang: Vorgang, status: str) -> None:
    """Move the Vorgang (unless it is done) to ``status``, audited as ``vorgang.update``."""
    if vorgang.status not in (status, VorgangStatus.ERLEDIGT):
        vorgang_update(principal=principal, vorgang=vorgang, status=status)


# --- services ----------------------------------------------------------------------------------


def _deliver(
    *,
    principal: Principal,
    vorgang: Vorgang,
    art: str,
    betreff: str,
    text: str,
    dokumente: Sequence[Dokument],
    empfaenger_email: str,
    frist: date | None,
    link: str,
) -> Nachricht:
    """Create the message with its Dokumente, audit it, mail the notice on commit (in the
    caller's transaction)."""
    nachricht = Nachricht.objects.create(
        mandant=vorgang.mandant,
        vorgang=vorgang,
        richtung=Richtung.AN_ANTRAGSTELLER,
        art=art,
        betreff=betreff,
        text=text,
        frist=frist,
        empfaenger_email=empfaenger_email,
        verfasst_von=principal.user,
    )
    nachricht.dokumente.set(dokumente)
    audit.record_action(
        principal,
        "postfach.zustellen",
        nachricht,
        vorgang=vorgang.pk,
        art=art,
        dokumente=[d.pk for d in dokumente],
        frist=frist.isoformat() if frist else None,
    )
    _notice_applicant(nachricht, link)
    return nachricht


def nachricht_zustellen(
    *,
    principal: Principal,
    vorgang: Vorgang,
    art: str,
    betreff: str,
    text: str,
    dokumente: Sequence[Dokument],
    empfaenger_email: str,
    link: str = "",
) -> Nachricht:
    """Deliver a message with Dokumente of the Vorgang to its applicant's Postfach.

    Callers authorise (the Bescheid's Schlusszeichnung, the submission of an Antrag); the
    service checks that Mandant and Dokumente belong to the Vorgang. ``link``: where the
    applicant reads it, if the caller knows (the clear status link exists only at submission).
    """
    if art not in Art.values:
        raise ServiceError(_("Unknown kind of message."))
    if principal.mandant.pk != vorgang.mandant_id:
        raise PermissionDenied(_("You may not write to the applicant of this Vorgang."))
    betreff, text = _clean_text(betreff, text)
    email = _clean_email(empfaenger_email)
    dokumente = list(dokumente)
    _check_dokumente(vorgang, dokumente)
    with transaction.atomic():
        vorgang = Vorgang.objects.select_for_update().select_related("akte").get(pk=vorgang.pk)
        _require_open(vorgang)
        return _deliver(
            principal=principal,
            vorgang=vorgang,
            art=art,
            betreff=betreff,
            text=text,
            dokumente=dokumente,
            empfaenger_email=email,
            frist=None,
            link=link,
        )


def rueckfrage_stellen(
    *,
    principal: Principal,
    vorgang: Vorgang,
    betreff: str,
    text: str,
    frist: date | None = None,
    empfaenger_email: str,
    dokumente: Sequence[Dokument] = (),
) -> Nachricht:
    """Ask the applicant for information or documents (who may work on the Vorgang).

    The Frist becomes a Wiedervorlage of the Vorgang for the asking person; the Vorgang waits
    (``wartet``) and its Antrag shows ``rueckfrage`` until the answer comes.
    """
    check_may_write(principal, vorgang)
    if not principal.allows(Action.CHANGE):
        raise PermissionDenied(_("This key may not change anything."))
    betreff, text = _clean_text(betreff, text)
    if not text:
        raise ServiceError(_("Please write what you need from the applicant."))
    if frist is not None and frist < timezone.localdate():
        raise ServiceError(_("The deadline lies in the past."))
    email = _clean_email(empfaenger_email)
    dokumente = list(dokumente)
    _check_dokumente(vorgang, dokumente)
    with transaction.atomic():
        vorgang = Vorgang.objects.select_for_update().select_related("akte").get(pk=vorgang.pk)
        _require_open(vorgang)
        nachricht = _deliver(
            principal=principal,
            vorgang=vorgang,
            art=Art.RUECKFRAGE,
            betreff=betreff,
            text=text,
            dokumente=dokumente,
            empfaenger_email=email,
            frist=frist,
            link="",
        )
        if frist is not None:
            wiedervorlage_create(
                principal=principal,
                faellig_am=frist,
                vorgang=vorgang,
                notiz=stored_text(gettext_noop("Deadline of the Rückfrage: %s")) % betreff,
            )
        _vorgang_status(principal, vorgang, VorgangStatus.WARTET)
        _antrag_status(vorgang, AntragStatus.RUECKFRAGE, principal.user, betreff)
    return nachricht


def _answer_subject(vorgang: Vorgang) -> str:
    frage = (
        Nachricht.objects.filter(vorgang=vorgang, art=Art.RUECKFRAGE)
        .order_by("-created_at", "-pk")
        .values_list("betreff", flat=True)
        .first()
    )
    return (stored_text(gettext_noop("Answer: %s")) % (frage or vorgang.betreff))[:300]


def antwort_empfangen(*, vorgang: Vorgang, text: str, dateien: Sequence[Datei]) -> Nachricht:
    """Take the applicant's answer (the caller reached the Vorgang through the status token).

    The text and each file go in as one Posteingang Sendung targeting this Vorgang: every file
    is checked (size, type by content, archives, PDFs) at once — a refused file stays with its
    reason, the others go on — and the pipeline files the accepted ones into the Vorgang. The
    answer is unread for the staff until the Postfach page of the Vorgang is opened.
    """
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise ServiceError(_("The text is longer than %d characters.") % MAX_TEXT)
    if not text and not dateien:
        raise ServiceError(_("Please write an answer or attach a file."))
    vorgang = Vorgang.objects.select_related("akte", "bearbeitende_oe", "bearbeiter").get(
        pk=vorgang.pk
    )
    _require_open(vorgang)
    betreff = _answer_subject(vorgang)
    actor = technical_principal(vorgang.mandant, prefix="postfach", display_name="Postfach")
    sendung = eingang_receive(
        mandant=vorgang.mandant,
        unit=vorgang.bearbeitende_oe,
        files=list(dateien),
        channel=Kanal.UPLOAD,
        provenance={"postfach": "antwort", "vorgang": str(vorgang.pk)},
        betreff=betreff,
        body_text=text,
        ziel_vorgang=vorgang,
    )
    with transaction.atomic():
        nachricht = Nachricht.objects.create(
            mandant=vorgang.mandant,
            vorgang=vorgang,
            richtung=Richtung.VON_ANTRAGSTELLER,
            art=Art.NACHRICHT,
            betreff=betreff,
            text=text,
            sendung=sendung,
        )
        audit.record_action(
            actor,
            "postfach.antwort",
            nachricht,
            vorgang=vorgang.pk,
            sendung=sendung.pk,
            dateien=[datei.filename[:100] for datei in dateien],
        )
        if vorgang.status == VorgangStatus.WARTET:
            _vorgang_status(actor, vorgang, VorgangStatus.IN_BEARBEITUNG)
        _antrag_status(vorgang, AntragStatus.IN_BEARBEITUNG, None, betreff)
        _notice_staff(nachricht)
    return nachricht


def antworten_gelesen(*, principal: Principal, vorgang: Vorgang) -> int:
    """Mark the applicant's unread answers in a Vorgang (fetched for 'view') as read."""
    return Nachricht.objects.filter(
        vorgang=vorgang, richtung=Richtung.VON_ANTRAGSTELLER, gelesen_am__isnull=True
    ).update(gelesen_am=timezone.now())


def nachrichten_zugestellt(*, vorgang: Vorgang) -> int:
    """Mark messages to the applicant as read when the applicant's status page shows them."""
    return Nachricht.objects.filter(
        vorgang=vorgang, richtung=Richtung.AN_ANTRAGSTELLER, gelesen_am__isnull=True
    ).update(gelesen_am=timezone.now())
