"""Dokumente and their write-once versions; moving a Dokument to another Vorgang."""

from __future__ import annotations

import os
import unicodedata
from datetime import date
from typing import IO

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from amtsfluss.akte.models import (
    Dokument,
    Dokumenttyp,
    Dokumentversion,
    Rendition,
    Richtung,
    Vorgang,
)
from amtsfluss.akte.services.vorgang import require_open
from amtsfluss.core import audit
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import Blob
from amtsfluss.core.permissions import Principal
from amtsfluss.core.services.blobs import blob_store


def clean_filename(name: str) -> str:
    """The last path component, NFC-normalised, without control characters, at most 255 bytes."""
    base = os.path.basename(name.replace("\\", "/"))
    base = "".join(
        ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C"
    )
    base = base.strip().lstrip(".") or "dokument"
    while len(base.encode()) > 255:
        stem, ext = os.path.splitext(base)
        base = stem[:-1] + ext if stem else base[:255]
    return base


def _content_size(content: IO[bytes]) -> int:
    position = content.tell()
    content.seek(0, os.SEEK_END)
    size = content.tell()
    content.seek(position)
    return size


def _check_size(content: IO[bytes] | Blob) -> None:
    limit = settings.AMTSFLUSS_MAX_UPLOAD_BYTES
    size = content.size if isinstance(content, Blob) else _content_size(content)
    if size > limit:
        raise ServiceError(
            _("The file is larger than the limit of %s.") % filesizeformat(limit), code="too_large"
        )


def _stored(principal: Principal, content: IO[bytes] | Blob) -> Blob:
    """The bytes stored write-once, or the Mandant's Blob as it is (not read and stored again)."""
    if isinstance(content, Blob):
        if content.mandant_id != principal.mandant.pk:
            raise ValueError("a Blob of another Mandant")
        return content
    return blob_store(mandant=principal.mandant, content=content)


def dokument_create(
    *,
    principal: Principal,
    vorgang: Vorgang,
    titel: str,
    dokumentdatum: date,
    richtung: str,
    dokumenttyp: str,
    content: IO[bytes] | Blob,
    dateiname: str,
    media_type: str,
    absender_empfaenger: str = "",
    kommentar: str = "",
) -> Dokument:
    """File a new Dokument with its first version into a Vorgang (fetched for 'change').

    ``content`` is the bytes, or a Blob the Mandant holds already (a received file)."""
    titel = titel.strip()
    if not titel:
        raise ServiceError(_("A Dokument needs a title."))
    if richtung not in Richtung.values or dokumenttyp not in Dokumenttyp.values:
        raise ServiceError(_("Unknown direction or document type."))
    _check_size(content)
    if not isinstance(content, Blob):  # a closed Vorgang refuses before the bytes are stored
        require_open(Vorgang.objects.select_related("akte").get(pk=vorgang.pk).akte)
    blob = _stored(principal, content)  # bytes before rows
    with transaction.atomic():
        vorgang = Vorgang.objects.select_related("akte").get(pk=vorgang.pk)
        require_open(vorgang.akte)
        dokument = Dokument.objects.create(
            mandant=principal.mandant,
            vorgang=vorgang,
            titel=titel,
            dokumentdatum=dokumentdatum,
            richtung=richtung,
            dokumenttyp=dokumenttyp,
            absender_empfaenger=absender_empfaenger.strip(),
        )
        Dokumentversion.objects.create(
            mandant=principal.mandant,
            dokument=dokument,
            nummer=1,
            rendition=Rendition.ORIGINAL,
            blob=blob,
            dateiname=clean_filename(dateiname),
            media_type=media_type[:120],
            kommentar=kommentar or _("first version"),
            created_by=principal.user,
        )
        audit.record_action(principal, "dokument.create", dokument, titel=titel, sha256=blob.sha256)
    return dokument


def dokumentversion_add(
    *,
    principal: Principal,
    dokument: Dokument,
    content: IO[bytes] | Blob,
    dateiname: str,
    media_type: str,
    kommentar: str,
    rendition: str = Rendition.ORIGINAL,
) -> Dokumentversion:
    """Add a version. An original gets the next number; an archival rendition (PDF/A)
    belongs to the current version's number and sits beside its original."""
    if rendition not in Rendition.values:
        raise ServiceError(_("Unknown rendition."))
    kommentar = kommentar.strip()
    if rendition == Rendition.ORIGINAL and not kommentar:
        raise ServiceError(_("Please say why there is a new version."))
    _check_size(content)
    require_open(Dokument.objects.select_related("vorgang__akte").get(pk=dokument.pk).vorgang.akte)
    blob = _stored(principal, content)
    with transaction.atomic():
        dokument = (
            Dokument.objects.select_for_update().select_related("vorgang__akte").get(pk=dokument.pk)
        )
        require_open(dokument.vorgang.akte)
        versions = Dokumentversion.objects.filter(dokument=dokument)
        latest = versions.aggregate(n=Max("nummer"))["n"] or 0
        nummer = latest + 1 if rendition == Rendition.ORIGINAL else latest
        if (
            rendition == Rendition.ARCHIV
            and versions.filter(nummer=nummer, rendition=Rendition.ARCHIV).exists()
        ):
            raise ServiceError(_("The current version already has an archival rendition."))
        versions.filter(rendition=rendition, ist_aktuell=True).update(ist_aktuell=False)
        version = Dokumentversion.objects.create(
            mandant=principal.mandant,
            dokument=dokument,
            nummer=nummer,
            rendition=rendition,
            blob=blob,
            dateiname=clean_filename(dateiname),
            media_type=media_type[:120],
            kommentar=kommentar,
            created_by=principal.user,
        )
        audit.record_action(
            principal,
            "dokument.version_add",
            dokument,
            nummer=nummer,
            rendition=rendition,
            sha256=blob.sha256,
        )
    return version


def dokument_move(*, principal: Principal, dokument: Dokument, target: Vorgang) -> Dokument:
    """Move a Dokument (with all versions) to another Vorgang; both Akten must be open."""
    if target.mandant_id != dokument.mandant_id:
        raise ServiceError(_("This Vorgang does not exist."))
    with transaction.atomic():
        dokument = (
            Dokument.objects.select_for_update().select_related("vorgang__akte").get(pk=dokument.pk)
        )
        target = Vorgang.objects.select_related("akte").get(pk=target.pk)
        if dokument.vorgang_id == target.pk:
            raise ServiceError(_("The Dokument is already in this Vorgang."))
        require_open(dokument.vorgang.akte)
        require_open(target.akte)
        source = dokument.vorgang
        dokument.vorgang = target
        dokument.save(update_fields=["vorgang"])
        audit.record_action(
            principal,
            "dokument.move",
            dokument,
            von=f"{source.akte.aktenzeichen} / {source.pk}",
            nach=f"{target.akte.aktenzeichen} / {target.pk}",
        )
    return dokument
