"""Receiving files into the Posteingang: one Sendung, an Eingang per file, checked at once.

Used by the intake handler (mail, watched folder), the API, the bulk import and the upload
page. Every file is checked before the transaction (libmagic, ZIP directory, PDF in a
limited child — the small PDFs of one hand-in in one); a refused file becomes an Eingang
``abgewiesen`` with the reason, the others go on. Accepted Eingänge are handed to the
pipeline when the transaction commits, a few per task.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from amtsfluss.akte.models import Akte, Vorgang
from amtsfluss.akte.services.dokument import clean_filename
from amtsfluss.core import audit
from amtsfluss.core.errors import PermissionDenied, ServiceError
from amtsfluss.core.i18n import stored_text
from amtsfluss.core.models import Blob, Mandant, Organisationseinheit
from amtsfluss.core.permissions import Principal
from amtsfluss.core.services.blobs import StoredBytes, blob_put, blobs_register
from amtsfluss.core.services.technical_users import technical_principal
from amtsfluss.posteingang import media
from amtsfluss.posteingang.checks import Befund, check_files, too_large
from amtsfluss.posteingang.models import Eingang, EingangStatus, Kanal, Sendung, Transfervermerk

MAX_PROVENANCE_VALUE = 500
MESSAGE_FILENAME = "nachricht.txt"


@dataclass(frozen=True)
class Datei:
    """One file handed in: its name (from outside, cleaned here) and bytes.

    ``cut_off_at`` > 0: an upload's transport stopped reading the file at the size limit after
    that many bytes; ``data`` is then empty and the file becomes an Eingang ``abgewiesen``.
    """

    filename: str
    data: bytes
    herkunft: dict[str, str] = field(default_factory=dict)  # this file's own provenance
    cut_off_at: int = 0


def acting_principal(mandant: Mandant, principal: Principal | None) -> Principal:
    if principal is None:
        return technical_principal(mandant, prefix="posteingang", display_name="Posteingang")
    if principal.mandant.pk != mandant.pk or not principal.is_member_of_mandant:
        raise PermissionDenied(_("You may not hand in documents to this administration."))
    if not principal.allows("create"):
        raise PermissionDenied(_("This key may not change anything."))
    return principal


def clean_provenance(provenance: dict[str, str]) -> dict[str, str]:
    return {
        str(key)[:100]: str(value)[:MAX_PROVENANCE_VALUE].replace("\x00", "")
        for key, value in provenance.items()
    }


def _check_unit(mandant: Mandant, principal: Principal | None, unit: Organisationseinheit) -> None:
    if unit.mandant_id != mandant.pk:
        raise ServiceError(_("This unit does not exist."))
    if principal is not None and unit.pk not in principal.unit_ids():
        raise PermissionDenied(_("You may only hand in documents for your own units."))


def _check_target(mandant: Mandant, vorgang: Vorgang | None, akte: Akte | None) -> None:
    if vorgang is not None and vorgang.mandant_id != mandant.pk:
        raise ServiceError(_("This Vorgang does not exist."))
    if akte is not None and akte.mandant_id != mandant.pk:
        raise ServiceError(_("This Akte does not exist."))


@dataclass(frozen=True)
class _Checked:
    datei: Datei
    befund: Befund
    stored: StoredBytes | None  # written, registered as a Blob with the Eingang
    ist_nachricht: bool = False


def _checked_files(mandant: Mandant, files: Sequence[Datei]) -> list[_Checked]:
    """Check ``files`` together (their PDFs may share a child) and store the bytes of each but
    those refused as too large."""
    with translation.override(settings.LANGUAGE_CODE):  # the reasons are stored (stored_text)
        whole = [datei for datei in files if not datei.cut_off_at]
        found = iter(check_files([(datei.data, datei.filename) for datei in whole]))
        befunde = [too_large() if datei.cut_off_at else next(found) for datei in files]
    return [_stored(mandant, datei, befund) for datei, befund in zip(files, befunde, strict=True)]


def _stored(
    mandant: Mandant, datei: Datei, befund: Befund, *, ist_nachricht: bool = False
) -> _Checked:
    keep = befund.accepted or befund.code != "too_large"
    stored = blob_put(datei.data) if keep else None  # bytes before the transaction
    return _Checked(datei, befund, stored, ist_nachricht)


def eingang_receive(
    *,
    mandant: Mandant,
    unit: Organisationseinheit,
    files: Sequence[Datei],
    channel: str,
    provenance: dict[str, str],
    principal: Principal | None = None,
    betreff: str = "",
    body_text: str = "",
    ziel_vorgang: Vorgang | None = None,
    ziel_akte: Akte | None = None,
    geraet: str = "",
) -> Sendung:
    """Take in ``files`` (and a mail's ``body_text``) as one Sendung of ``unit``.

    ``principal`` is the person handing in (upload, API) or None for unattended intake (mail,
    folder, import: the Mandant's technical user acts). ``geraet`` names the scanner or
    channel; when given, each Eingang gets a Transfervermerk.
    """
    if channel not in Kanal.values:
        raise ServiceError(_("Unknown intake channel %s.") % channel)
    actor = acting_principal(mandant, principal)
    _check_unit(mandant, principal, unit)
    _check_target(mandant, ziel_vorgang, ziel_akte)
    checked = []
    if body_text.strip():
        message = Datei(MESSAGE_FILENAME, body_text.encode("utf-8"))
        checked.append(_stored(mandant, message, Befund(media.TEXT), ist_nachricht=True))
    checked += _checked_files(mandant, files)
    if not checked:
        raise ServiceError(_("Nothing was handed in: no file and no text."))
    herkunft = clean_provenance(provenance)
    with transaction.atomic():
        sendung = Sendung.objects.create(
            mandant=mandant,
            kanal=channel,
            herkunft=herkunft,
            betreff=(betreff.strip() or _default_subject(checked))[:300],
            unit=unit,
            received_by=actor.user,
            received_at=timezone.now(),
            ziel_vorgang=ziel_vorgang,
            ziel_akte=ziel_akte,
        )
        _add(sendung, checked, actor, geraet, first=0)
    return sendung


def sendung_extend(
    *,
    sendung: Sendung,
    files: Sequence[Datei],
    principal: Principal | None = None,
    geraet: str = "",
) -> Sendung:
    """Add further files to a Sendung (a bulk import hands a large folder in parts)."""
    actor = acting_principal(sendung.mandant, principal)
    checked = _checked_files(sendung.mandant, files)
    with transaction.atomic():
        sendung = Sendung.objects.select_for_update().get(pk=sendung.pk)
        first = sendung.eingaenge.count()
        _add(sendung, checked, actor, geraet, first=first)
    return sendung


def _add(
    sendung: Sendung, checked: list[_Checked], actor: Principal, geraet: str, *, first: int
) -> None:
    from amtsfluss.posteingang.tasks import enqueue_processing

    kept = [item.stored for item in checked if item.stored is not None]
    blobs = iter(blobs_register(mandant=sendung.mandant, stored=kept))
    eingaenge = Eingang.objects.bulk_create(
        [
            _eingang(sendung, first + offset, item, next(blobs) if item.stored else None)
            for offset, item in enumerate(checked)
        ]
    )
    if geraet:
        Transfervermerk.objects.bulk_create(
            [
                _transfervermerk(eingang, actor, geraet)
                for eingang in eingaenge
                if not eingang.ist_nachricht
            ]
        )
    accepted = [eingang.pk for eingang in eingaenge if eingang.status == EingangStatus.GEPRUEFT]
    enqueue_processing(accepted)
    audit.record_action(
        actor,
        "posteingang.receive",
        sendung,
        kanal=sendung.kanal,
        dateien=[item.datei.filename[:100] for item in checked],
        abgewiesen=sum(1 for item in checked if not item.befund.accepted),
    )


def _default_subject(checked: list[_Checked]) -> str:
    names = [item.datei.filename for item in checked if not item.ist_nachricht]
    return stored_text(gettext_noop("Posteingang: %s")) % (", ".join(names) or MESSAGE_FILENAME)


def _eingang(sendung: Sendung, position: int, item: _Checked, original: Blob | None) -> Eingang:
    dateiname = clean_filename(item.datei.filename)
    accepted = item.befund.accepted
    now = timezone.now()
    return Eingang(
        mandant=sendung.mandant,
        sendung=sendung,
        position=position,
        kanal=sendung.kanal,
        unit=sendung.unit,
        herkunft={**sendung.herkunft, **clean_provenance(item.datei.herkunft)},
        dateiname=dateiname,
        titel=(
            stored_text(gettext_noop("E-Mail: %s")) % sendung.betreff
            if item.ist_nachricht
            else dateiname
        )[:300],
        ist_nachricht=item.ist_nachricht,
        original=original,
        sha256="" if item.datei.cut_off_at else hashlib.sha256(item.datei.data).hexdigest(),
        size=item.datei.cut_off_at or len(item.datei.data),
        media_type=item.befund.media_type,
        status=EingangStatus.GEPRUEFT if accepted else EingangStatus.ABGEWIESEN,
        grund=item.befund.reason[:500],
        received_at=now,
        finished_at=None if accepted else now,
    )


def _transfervermerk(eingang: Eingang, actor: Principal, geraet: str) -> Transfervermerk:
    return Transfervermerk(
        mandant=eingang.mandant,
        eingang=eingang,
        erfasst_von=actor.user.get_username(),
        erfasst_am=eingang.received_at,
        geraet=geraet[:300],
    )
