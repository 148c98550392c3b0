"""Filing a processed Eingang: a Dokument in its Sendung's Vorgang, the archival rendition
beside the original, the text for the search — in one transaction with the Eingang locked.

The Sendung's Vorgang is formed by its first filed Eingang (the Sendung row is locked, so a mail
with three attachments gets one Vorgang even with several workers). Without a target it goes to
the unit's Akte "Posteingang <year>" at the Mandant's configured Aktenplan position.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from amtsfluss.akte.models import (
    Akte,
    Dokumenttyp,
    Dokumentversion,
    Rendition,
    Richtung,
    Vorgang,
)
from amtsfluss.akte.services.akte import jahresakte
from amtsfluss.akte.services.dokument import dokument_create, dokumentversion_add
from amtsfluss.akte.services.vorgang import vorgang_create
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.i18n import stored_text
from amtsfluss.core.models import Blob, Mandant
from amtsfluss.core.permissions import Principal
from amtsfluss.posteingang import media
from amtsfluss.posteingang.models import (
    Eingang,
    EingangStatus,
    PosteingangEinstellung,
    Sendung,
)
from amtsfluss.posteingang.services.text import store_text

PDF = "application/pdf"


def posteingang_position_set(*, mandant: Mandant, position_id: int) -> PosteingangEinstellung:
    """Set where unrouted post of ``mandant`` is filed (the Aktenplan position, a leaf)."""
    from amtsfluss.akte.models import Aktenplanposition

    position = Aktenplanposition.objects.filter(mandant=mandant, pk=position_id).first()
    if position is None or not position.is_leaf:
        raise ServiceError(_("Choose a leaf of this Mandant's Aktenplan."))
    einstellung, _created = PosteingangEinstellung.objects.update_or_create(
        mandant=mandant, defaults={"aktenplanposition": position}
    )
    return einstellung


def posteingangsakte(*, principal: Principal, sendung: Sendung) -> Akte:
    """The open Akte "Posteingang <year>" of the Sendung's unit, formed on first use."""
    einstellung = (
        PosteingangEinstellung.objects.select_for_update(of=("self",))  # forms each Akte once
        .select_related("aktenplanposition")
        .filter(mandant=sendung.mandant)
        .first()
    )
    if einstellung is None:
        raise ServiceError(
            _("No Aktenplan position is set for the Posteingang; the file cannot be filed."),
            code="no_position",
        )
    return jahresakte(
        principal=principal,
        position=einstellung.aktenplanposition,
        unit=sendung.unit,
        titel=f"Posteingang {timezone.localdate().year}",
    )


def _vorgang(principal: Principal, sendung: Sendung) -> Vorgang:
    if sendung.vorgang is not None:
        return sendung.vorgang
    if sendung.ziel_vorgang is not None:
        vorgang = sendung.ziel_vorgang
    else:
        akte = sendung.ziel_akte or posteingangsakte(principal=principal, sendung=sendung)
        vorgang = vorgang_create(
            principal=principal,
            akte=akte,
            betreff=sendung.betreff,
            eingangsdatum=timezone.localdate(sendung.received_at),
            bearbeitende_oe=sendung.unit,
        )
    sendung.vorgang = vorgang
    sendung.save(update_fields=["vorgang"])
    return vorgang


def archival_blob(eingang: Eingang) -> Blob | None:
    """The PDF/A rendition: from OCR, or LibreOffice's PDF/A-2b export of an Office file."""
    if eingang.archiv is not None:
        return eingang.archiv
    if eingang.media_type in media.OFFICE:
        return eingang.pdf
    return None


def eingang_file(*, eingang_id: int) -> Eingang:
    """File the Eingang (idempotent: an Eingang filed already is returned as it is)."""
    with transaction.atomic():
        eingang = (
            Eingang.objects.select_for_update(of=("self",))
            .select_related("original", "archiv", "pdf", "mandant")
            .get(pk=eingang_id)
        )
        if eingang.dokument_id is not None:
            return eingang
        if eingang.original is None:
            raise ServiceError(_("The original of this Eingang was not kept."))
        # Locked also once its Vorgang is formed: the intake extending the Sendung locks it
        # before the audit chain, so filing takes the same order (else a deadlock on PostgreSQL)
        sendung = (
            Sendung.objects.select_for_update(of=("self",))
            .select_related("received_by", "unit", "vorgang", "ziel_vorgang", "ziel_akte")
            .get(pk=eingang.sendung_id)
        )
        principal = Principal(user=sendung.received_by, mandant=eingang.mandant)
        vorgang = _vorgang(principal, sendung)
        dokument = dokument_create(
            principal=principal,
            vorgang=vorgang,
            titel=eingang.titel,
            dokumentdatum=timezone.localdate(eingang.received_at),
            richtung=Richtung.EINGANG,
            dokumenttyp=Dokumenttyp.EMAIL if eingang.ist_nachricht else Dokumenttyp.SONSTIGES,
            content=eingang.original,  # stored at intake: not read and stored again
            dateiname=eingang.dateiname,
            media_type=eingang.media_type,
            absender_empfaenger=eingang.herkunft.get("from", "")[:300],
            kommentar=stored_text(gettext_noop("received via %s")) % eingang.get_kanal_display(),
        )
        original = Dokumentversion.objects.get(dokument=dokument, rendition=Rendition.ORIGINAL)
        archiv = archival_blob(eingang)
        if archiv is not None:
            stem = eingang.dateiname.rsplit(".", 1)[0] or "dokument"
            dokumentversion_add(
                principal=principal,
                dokument=dokument,
                content=archiv,
                dateiname=f"{stem}.pdf",
                media_type=PDF,
                kommentar=stored_text(gettext_noop("archival rendition (PDF/A-2b)")),
                rendition=Rendition.ARCHIV,
            )
        if eingang.text_done and store_text(original, eingang.text, eingang.textquelle):
            eingang.text = ""  # kept with the version now, for the search
        eingang.dokument = dokument
        eingang.dokumentversion = original
        eingang.status = EingangStatus.BEREIT
        eingang.schritt = ""
        eingang.grund = ""
        eingang.lease_until = None
        eingang.finished_at = timezone.now()
        eingang.save(update_fields=FILED_FIELDS)
    return eingang


#: what filing changes on the Eingang
FILED_FIELDS = [
    "text",
    "dokument",
    "dokumentversion",
    "status",
    "schritt",
    "grund",
    "lease_until",
    "finished_at",
    "updated_at",
]
