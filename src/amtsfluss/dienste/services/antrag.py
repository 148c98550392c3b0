"""Submitting an application and moving it through its status (docs/design/dienste.md).

Submission turns a complete draft into an Antrag and a Vorgang of the Leistung's unit, in one
transaction: the Vorgang is filed in the Akte "Online-Anträge <Leistung> <year>" at the
Leistung's Aktenplan position, with the form data as JSON and the uploaded files through the
Posteingang. The draft is consumed. The two PDF/A renditions — the application as submitted and
the Eingangsbestätigung, both with the case number — are rendered after that commit, without
any lock held (rendering takes about a second; inside the transaction it held the Leistung's
row lock, the Mandant's audit chain and, on SQLite, the database's write lock, so submissions
queued one behind another), and filed in a second short transaction, before the applicant
gets the answer. Should that fail or the process die in between, the periodic
``dienste.complete_renditions`` job files them later (``antrag_renditions_complete`` is
idempotent). It is idempotent: the draft's token decides (``Antrag.einreichung_hash``, unique), so
a second submission of the same draft — a double click, a second tab, a replayed POST — finds
the first Antrag and answers with the same status link.

The status link's token is derived from the draft's key with the ``SECRET_KEY`` (an HMAC): the
table keeps only its SHA-256, so a copy of the database alone opens no status page, while the
service can still put the link into every status mail. (After a rotation of ``SECRET_KEY``,
links sent earlier keep working; mails name a link that no longer matches — rotate with care.)
"""

from __future__ import annotations

import base64
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from amtsfluss.akte.models import (
    Akte,
    Dokument,
    Dokumenttyp,
    Richtung,
)
from amtsfluss.akte.services.akte import jahresakte
from amtsfluss.akte.services.dokument import dokument_create
from amtsfluss.akte.services.vorgang import vorgang_create
from amtsfluss.core import audit
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.i18n import stored_text
from amtsfluss.core.models import Mandant, User
from amtsfluss.core.permissions import Principal
from amtsfluss.core.services.technical_users import technical_principal
from amtsfluss.core.tasks import enqueue_on_commit, send_mail_task
from amtsfluss.dienste.formdef.antragsteller import applicant_email, applicant_name
from amtsfluss.dienste.formdef.evaluate import evaluate
from amtsfluss.dienste.models import Antrag, AntragEreignis, AntragStatus, Entwurf, Leistung
from amtsfluss.dienste.selectors.entwurf import access_entwurf, definition_of
from amtsfluss.dienste.services import antrag_dokumente as dokumente
from amtsfluss.dienste.services.entwurf import token_hash
from amtsfluss.konto.models import Buerger
from amtsfluss.posteingang.models import Eingang, Kanal
from amtsfluss.posteingang.services.eingang import Datei, eingang_receive

logger = logging.getLogger(__name__)

STATUS_KEY_SALT = "amtsfluss.dienste.antrag.status"
PDF = "application/pdf"


def status_token(einreichung_hash: str) -> str:
    """The status link's token of the Antrag submitted from the draft with this key."""
    digest = salted_hmac(STATUS_KEY_SALT, einreichung_hash, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def status_path(antrag: Antrag) -> str:
    return reverse("dienste:status", args=[status_token(antrag.einreichung_hash)])


def status_link(antrag: Antrag) -> str:
    """The absolute status link, under the Mandant's first host name."""
    host = antrag.mandant.hosts.order_by("pk").values_list("hostname", flat=True).first()
    path = status_path(antrag)
    if host is None:
        return path
    scheme = "http" if settings.DEBUG else "https"
    return f"{scheme}://{host}{path}"


@dataclass(frozen=True)
class Einreichung:
    antrag: Antrag
    token: str
    #: False when the draft had been submitted before (the same Antrag is answered)
    neu: bool


def _submitted(mandant: Mandant, schluessel: str) -> Einreichung | None:
    found = (
        Antrag.objects.filter(mandant=mandant, einreichung_hash=schluessel)
        .select_related("vorgang__akte", "leistung")
        .first()
    )
    return None if found is None else Einreichung(found, status_token(schluessel), neu=False)


def antrag_submitted(*, mandant: Mandant, token: str) -> Einreichung | None:
    """The Antrag the draft with link ``token`` became, if it was submitted already."""
    return _submitted(mandant, token_hash(token))


class _Consumed(Exception):
    """The draft was submitted by a concurrent request while this one waited for its lock."""


def antrag_submit(
    *,
    mandant: Mandant,
    token: str,
    dateien: Sequence[Datei] = (),
    buerger: Buerger | None = None,
) -> Einreichung:
    """Submit the draft with link ``token`` (see the module doc). A draft that is not complete
    is refused (``ServiceError``); an unknown or expired one is 404 (``access_entwurf``).
    ``buerger``: the signed-in citizen, kept with the Antrag ("my applications"); a citizen of
    another Mandant is ignored."""
    schluessel = token_hash(token)
    earlier = _submitted(mandant, schluessel)
    if earlier is not None:
        return earlier
    entwurf = access_entwurf(mandant=mandant, token=token)
    try:
        with transaction.atomic():
            antrag = _submit_locked(entwurf, schluessel, list(dateien), _own(mandant, buerger))
    except (_Consumed, IntegrityError):
        earlier = _submitted(mandant, schluessel)
        if earlier is None:
            raise
        return earlier
    try:
        antrag_renditions_complete(antrag_id=antrag.pk)
    except Exception:  # the Antrag is committed; the periodic job files its renditions later
        logger.exception("The renditions of Antrag %s were not filed now", antrag.pk)
    antrag.refresh_from_db(fields=["eingangsbestaetigung"])
    return Einreichung(antrag, status_token(schluessel), neu=True)


def antrag_renditions_complete(*, antrag_id: int) -> bool:
    """File the PDF/A copy of the application and the Eingangsbestätigung of a submitted Antrag
    unless they are filed already: rendered with no lock held, filed in one transaction under
    the Antrag's row lock (a concurrent call files nothing twice). True when this call filed
    them."""
    antrag = Antrag.objects.select_related(
        "mandant", "leistung", "formularversion", "vorgang__bearbeitende_oe"
    ).get(pk=antrag_id)
    if antrag.eingangsbestaetigung_id is not None:
        return False
    definition = definition_of(antrag.formularversion)
    stem = f"antrag-{antrag.vorgang_id}"
    kopie = dokumente.antrag_pdf(antrag, definition, _upload_names(antrag))
    bestaetigung_pdf = dokumente.eingangsbestaetigung_pdf(antrag)
    principal = technical_principal(antrag.mandant, prefix="dienste", display_name="Online-Dienste")
    with transaction.atomic():
        locked = Antrag.objects.select_for_update(of=("self",)).get(pk=antrag_id)
        if locked.eingangsbestaetigung_id is not None:
            return False
        _dokument(
            principal, antrag, stored_text(gettext_noop("Application")), kopie, f"{stem}.pdf", PDF
        )
        locked.eingangsbestaetigung = dokument_create(
            principal=principal,
            vorgang=antrag.vorgang,
            titel=stored_text(gettext_noop("Acknowledgement of receipt")),
            dokumentdatum=timezone.localdate(antrag.eingereicht_am),
            richtung=Richtung.AUSGANG,
            dokumenttyp=Dokumenttyp.SCHREIBEN,
            content=io.BytesIO(bestaetigung_pdf),
            dateiname=f"eingangsbestaetigung-{antrag.vorgang_id}.pdf",
            media_type=PDF,
            absender_empfaenger=antrag.antragsteller_name,
        )
        locked.save(update_fields=["eingangsbestaetigung"])
    return True


def antraege_renditions_complete(*, older_than: timedelta = timedelta(minutes=2)) -> int:
    """File the missing renditions of Anträge submitted before ``older_than`` (the periodic
    job; younger ones are still being completed by their submission). How many were filed."""
    waiting = Antrag.objects.filter(
        eingangsbestaetigung__isnull=True, eingereicht_am__lt=timezone.now() - older_than
    ).values_list("pk", flat=True)
    return sum(antrag_renditions_complete(antrag_id=pk) for pk in waiting)


def _upload_names(antrag: Antrag) -> list[str]:
    """The file names handed in with the application (the Sendung of its submission)."""
    return list(
        Eingang.objects.filter(
            sendung__ziel_vorgang_id=antrag.vorgang_id, sendung__herkunft__antrag=str(antrag.pk)
        )
        .order_by("pk")
        .values_list("dateiname", flat=True)
    )


def _own(mandant: Mandant, buerger: Buerger | None) -> Buerger | None:
    return buerger if buerger is not None and buerger.mandant_id == mandant.pk else None


def _submit_locked(
    entwurf: Entwurf, schluessel: str, dateien: list[Datei], buerger: Buerger | None
) -> Antrag:
    # the draft row first (one submission per draft), then the Leistung (one Akte per year);
    # the entries are read again under the lock (a step saved meanwhile in another tab counts)
    locked = (
        Entwurf.objects.select_for_update(of=("self",))
        .select_related("formularversion__formular", "mandant")
        .filter(pk=entwurf.pk)
        .first()
    )
    if locked is None:
        raise _Consumed
    entwurf = locked
    version = entwurf.formularversion
    leistung = (
        Leistung.objects.select_for_update()
        .select_related("aktenplanposition")
        .get(pk=version.formular.leistung_id)
    )
    definition = definition_of(version)
    now = timezone.now()
    evaluation = evaluate(
        definition, entwurf.daten, entwurf.wiederholungen, today=timezone.localdate(now)
    )
    if evaluation.first_incomplete_step() is not None:
        raise ServiceError(_("The application is not complete yet."), code="incomplete")
    principal = technical_principal(
        entwurf.mandant, prefix="dienste", display_name="Online-Dienste"
    )
    name = applicant_name(definition, evaluation.values)
    vorgang = vorgang_create(
        principal=principal,
        akte=antragsakte(principal=principal, leistung=leistung),
        betreff=f"{leistung.name}: {name}" if name else leistung.name,
        eingangsdatum=timezone.localdate(now),
        bearbeitende_oe=leistung.zustaendige_oe,
        frist=(
            timezone.localdate(now) + timedelta(days=leistung.bearbeitungsdauer_tage)
            if leistung.bearbeitungsdauer_tage
            else None
        ),
    )
    fassung = dokumente.lesefassung(leistung, definition, evaluation)
    antrag = Antrag.objects.create(
        mandant=entwurf.mandant,
        leistung=leistung,
        formularversion=version,
        vorgang=vorgang,
        daten=entwurf.daten,
        werte=dokumente.json_values(evaluation.values),
        wiederholungen=entwurf.wiederholungen,
        eingereicht_am=now,
        antragsteller_email=applicant_email(definition, evaluation.values),
        antragsteller_name=name,
        gebuehr=fassung.fee,
        token_hash=token_hash(status_token(schluessel)),
        einreichung_hash=schluessel,
        buerger=buerger,
    )
    uploaded = [  # the files of fields that are shown (a hidden field's files stay behind)
        Datei(d.dateiname, bytes(d.inhalt))
        for d in entwurf.dateien.order_by("pk")
        if d.feld in evaluation.values
    ]
    _file(principal, antrag, [*uploaded, *dateien])
    AntragEreignis.objects.create(
        mandant=antrag.mandant, antrag=antrag, status=AntragStatus.EINGEGANGEN, am=now
    )
    audit.record_action(
        principal,
        "antrag.submit",
        antrag,
        leistung=leistung.leika_schluessel,
        vorgang=vorgang.pk,
        dateien=len(uploaded) + len(dateien),
    )
    entwurf.delete()
    _mail_receipt(antrag)
    return antrag


def antragsakte(*, principal: Principal, leistung: Leistung) -> Akte:
    """The open Akte "Online-Anträge <Leistung> <year>" at the Leistung's Aktenplan position,
    formed on first use (the caller holds the Leistung's row lock, so it is formed once)."""
    name = stored_text(gettext_noop("Online applications %(name)s %(year)s"))
    return jahresakte(
        principal=principal,
        position=leistung.aktenplanposition,
        unit=leistung.zustaendige_oe,
        titel=(name % {"name": leistung.name, "year": timezone.localdate().year})[:300],
    )


def _dokument(
    principal: Principal, antrag: Antrag, titel: str, content: bytes, dateiname: str, media: str
) -> Dokument:
    return dokument_create(
        principal=principal,
        vorgang=antrag.vorgang,
        titel=titel,
        dokumentdatum=timezone.localdate(antrag.eingereicht_am),
        richtung=Richtung.EINGANG,
        dokumenttyp=Dokumenttyp.ANTRAG,
        content=io.BytesIO(content),
        dateiname=dateiname,
        media_type=media,
        absender_empfaenger=antrag.antragsteller_name,
    )


def _file(principal: Principal, antrag: Antrag, dateien: list[Datei]) -> None:
    """The JSON record and the files (through the Posteingang)."""
    _dokument(
        principal,
        antrag,
        stored_text(gettext_noop("Application (data record)")),
        dokumente.datensatz(antrag),
        f"antrag-{antrag.vorgang_id}.json",
        "application/json",
    )
    if dateien:
        eingang_receive(
            mandant=antrag.mandant,
            unit=antrag.leistung.zustaendige_oe,
            files=dateien,
            channel=Kanal.UPLOAD,
            provenance={"antrag": str(antrag.pk), "leika": antrag.leistung.leika_schluessel},
            betreff=antrag.vorgang.betreff,
            ziel_vorgang=antrag.vorgang,
        )


def _mail(antrag: Antrag, subject: str, lines: list[str]) -> None:
    """A plain mail to the applicant on commit: the case number and the link, no case content
    (mail leaves the protected system; the details are behind the link)."""
    if not antrag.antragsteller_email:
        return
    body = "\n\n".join([*lines, status_link(antrag)])
    enqueue_on_commit(send_mail_task, subject=subject, body=body, to=[antrag.antragsteller_email])


def _mail_receipt(antrag: Antrag) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Acknowledgement of receipt: %(name)s, case number %(number)s") % {
            "name": antrag.leistung.name,
            "number": antrag.geschaeftszeichen,
        }
        lines = [
            _("We have received your application for “%(name)s”.") % {"name": antrag.leistung.name},
            _("Case number: %s") % antrag.geschaeftszeichen,
            _("The acknowledgement of receipt and the state of your application are here:"),
        ]
        _mail(antrag, subject, lines)


def antrag_status_set(*, antrag: Antrag, status: str, by: User | None, note: str = "") -> Antrag:
    """Move ``antrag`` to ``status``: a timeline event, an audit event, and the status mail to
    the applicant on commit. Setting the status it has already changes nothing.

    The caller has authorised the change (the staff page through the permission engine; the
    Postfach for Rückfragen).
    """
    if status not in AntragStatus.values:
        raise ServiceError(_("Unknown status of an application."))
    note = note.strip()[:1000]
    with transaction.atomic():
        antrag = (
            Antrag.objects.select_for_update(of=("self",))
            .select_related("vorgang__akte", "leistung", "mandant")
            .get(pk=antrag.pk)
        )
        if antrag.status == status:
            return antrag
        previous = antrag.status
        antrag.status = status
        antrag.save(update_fields=["status"])
        AntragEreignis.objects.create(
            mandant=antrag.mandant,
            antrag=antrag,
            status=status,
            am=timezone.now(),
            by=by,
            notiz=note,
        )
        audit.record(
            mandant=antrag.mandant,
            actor=by,
            action="antrag.status",
            object_type=antrag._meta.label_lower,
            object_id=str(antrag.pk),
            details={"from": previous, "to": status},
        )
        _mail_status(antrag)
    return antrag


def _mail_status(antrag: Antrag) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        label = str(AntragStatus(antrag.status).label)
        subject = _("Your application %(number)s: %(status)s") % {
            "number": antrag.geschaeftszeichen,
            "status": label,
        }
        lines = [
            _("The state of your application for “%(name)s” has changed: %(status)s.")
            % {"name": antrag.leistung.name, "status": label},
            _("Case number: %s") % antrag.geschaeftszeichen,
            _("Details are here:"),
        ]
        _mail(antrag, subject, lines)


#: the changes the staff page offers; Rückfrage and decision come from the Postfach and Bescheid
STAFF_STATUS = (AntragStatus.IN_BEARBEITUNG, AntragStatus.ABGESCHLOSSEN)


def check_antrag_status_change(
    *, principal: Principal, antrag: Antrag, status: str, note: str = ""
) -> Antrag:
    """A clerk's status change on the staff page (``antrag`` fetched for 'change')."""
    if status not in STAFF_STATUS:
        raise ServiceError(_("This status cannot be set here."))
    if antrag.mandant_id != principal.mandant.pk:
        raise ServiceError(_("This application does not exist."))
    return antrag_status_set(antrag=antrag, status=status, by=principal.user, note=note)
