"""Staff decide a suggestion with one action: accept it (file there) or correct it (name the
Akte and Dokumenttyp). Either way the Dokument is moved out of the "Posteingang <year>" Akte
into the chosen Akte and the decision is kept on the ``Vorschlag`` — from then on the Dokument is
a labelled example of the next training, and its sender and Kassenzeichen route later post.

The caller fetched the Eingang with ``access_eingang(..., 'change')``; the target Akte and
Vorgang are taken only among those the principal may change (``target_akten``,
``target_vorgaenge``), so a suggestion never files into an Akte its clerk may not work on.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsfluss.akte.models import Akte, Dokument, Dokumenttyp, Vorgang
from amtsfluss.akte.services.akte import check_akte_create
from amtsfluss.akte.services.dokument import dokument_move
from amtsfluss.akte.services.vorgang import vorgang_create, vorgang_move
from amtsfluss.core import audit
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.permissions import Principal
from amtsfluss.posteingang.access import target_akten, target_vorgaenge
from amtsfluss.posteingang.models import (
    Eingang,
    EingangStatus,
    Sendung,
    Vorschlag,
    VorschlagStatus,
)


def _open_vorschlag(eingang: Eingang) -> Vorschlag:
    vorschlag = (
        Vorschlag.objects.select_for_update(of=("self",))
        .select_related("akte", "vorgang", "aktenplanposition", "unit")
        .filter(eingang=eingang)
        .first()
    )
    if vorschlag is None:
        vorschlag = Vorschlag.objects.create(mandant=eingang.mandant, eingang=eingang)
    if vorschlag.status != VorschlagStatus.OFFEN:
        raise ServiceError(_("Where this file belongs was decided already."))
    return vorschlag


def _filed_dokument(eingang: Eingang) -> Dokument:
    if eingang.status != EingangStatus.BEREIT or eingang.dokument_id is None:
        raise ServiceError(_("This file is not filed yet; decide when it is ready."))
    return Dokument.objects.select_related("vorgang__akte").get(pk=eingang.dokument_id)


def check_vorschlag_accept(*, principal: Principal, eingang: Eingang) -> Vorschlag:
    """File the Eingang where its suggestion says."""
    with transaction.atomic():
        vorschlag = _open_vorschlag(eingang)
        akte: Akte | None = None
        if vorschlag.akte_id is not None:
            akte = target_akten(principal).filter(pk=vorschlag.akte_id).first()
            if akte is None:
                raise ServiceError(
                    _("You may not file into the suggested Akte; please name another one.")
                )
        elif vorschlag.aktenplanposition is not None:
            try:
                akte = check_akte_create(
                    principal=principal,
                    position=vorschlag.aktenplanposition,
                    titel=eingang.sendung.betreff,
                    federfuehrende_oe=vorschlag.unit,
                )
            except PermissionDenied as exc:
                raise ServiceError(str(exc)) from exc
        else:
            raise ServiceError(_("There is no suggestion for this file; please name an Akte."))
        vorgang = None
        if vorschlag.vorgang_id is not None:
            vorgang = target_vorgaenge(principal).filter(pk=vorschlag.vorgang_id).first()
        return do_vorschlag_decide(
            principal=principal,
            eingang=eingang,
            vorschlag=vorschlag,
            akte=akte,
            vorgang=vorgang,
            dokumenttyp=vorschlag.dokumenttyp,
            status=VorschlagStatus.ANGENOMMEN,
        )


def check_vorschlag_correct(
    *, principal: Principal, eingang: Eingang, aktenzeichen: str, dokumenttyp: str
) -> Vorschlag:
    """File the Eingang into the Akte named by ``aktenzeichen``, as ``dokumenttyp``."""
    if dokumenttyp not in Dokumenttyp.values:
        raise ServiceError(_("Unknown Dokumenttyp."))
    akte = target_akten(principal).filter(aktenzeichen=aktenzeichen.strip()[:120]).first()
    if akte is None:
        raise ServiceError(_("There is no open Akte with this Aktenzeichen that you may work on."))
    with transaction.atomic():
        return do_vorschlag_decide(
            principal=principal,
            eingang=eingang,
            vorschlag=_open_vorschlag(eingang),
            akte=akte,
            vorgang=None,
            dokumenttyp=dokumenttyp,
            status=VorschlagStatus.KORRIGIERT,
        )


def _move(principal: Principal, eingang: Eingang, dokument: Dokument, akte: Akte) -> None:
    """Into ``akte``: the Sendung's own Vorgang moves along (one Sendung, one Vorgang) — unless
    a Dokument of another of its Eingänge lies in it where a decision put it; any other Vorgang
    keeps its Dokumente, and this one goes to a new Vorgang of ``akte``."""
    if dokument.vorgang.akte_id == akte.pk:
        return
    source = target_vorgaenge(principal).filter(pk=dokument.vorgang_id).first()
    if source is None:
        raise ServiceError(_("You may not take this file out of its Vorgang."))
    sendung = eingang.sendung
    own = sendung.vorgang_id == source.pk and sendung.ziel_vorgang_id is None
    if own and not _decided_siblings_in(source, eingang):
        vorgang_move(principal=principal, vorgang=source, target=akte)
        return
    fresh = vorgang_create(
        principal=principal,
        akte=akte,
        betreff=sendung.betreff,
        eingangsdatum=timezone.localdate(sendung.received_at),
    )
    dokument_move(principal=principal, dokument=dokument, target=fresh)


def _decided_siblings_in(vorgang: Vorgang, eingang: Eingang) -> bool:
    """Another Eingang of the Sendung was decided and its Dokument lies in ``vorgang``: moving
    the Vorgang would take that Dokument away from where the decision put it."""
    return (
        Vorschlag.objects.filter(
            eingang__sendung_id=eingang.sendung_id,
            eingang__dokument__vorgang=vorgang,
            status__in=(VorschlagStatus.ANGENOMMEN, VorschlagStatus.KORRIGIERT),
        )
        .exclude(eingang=eingang)
        .exists()
    )


def do_vorschlag_decide(
    *,
    principal: Principal,
    eingang: Eingang,
    vorschlag: Vorschlag,
    akte: Akte,
    vorgang: Vorgang | None,
    dokumenttyp: str,
    status: str,
) -> Vorschlag:
    """Move the Eingang's Dokument and record the decision. Runs inside the caller's
    transaction with the Vorschlag row locked; ``akte`` and ``vorgang`` are ones the principal
    may change."""
    # one decision of a Sendung at a time: its Vorgang moves along only while no decided
    # sibling lies in it, and two clerks deciding two attachments at once must not both see none
    Sendung.objects.select_for_update().only("pk").get(pk=eingang.sendung_id)
    dokument = _filed_dokument(eingang)
    if vorgang is not None and vorgang.akte_id == akte.pk:
        if dokument.vorgang_id != vorgang.pk:
            if target_vorgaenge(principal).filter(pk=dokument.vorgang_id).first() is None:
                raise ServiceError(_("You may not take this file out of its Vorgang."))
            dokument_move(principal=principal, dokument=dokument, target=vorgang)
    else:
        _move(principal, eingang, dokument, akte)
    if dokumenttyp and dokumenttyp != dokument.dokumenttyp:
        moved = Dokument.objects.get(pk=dokument.pk)  # where it lies now
        moved.dokumenttyp = dokumenttyp
        moved.save(update_fields=["dokumenttyp"])  # a save, so the search index follows
    vorschlag.status = status
    vorschlag.entschieden_akte = akte
    vorschlag.entschieden_dokumenttyp = dokumenttyp or dokument.dokumenttyp
    vorschlag.entschieden_von = principal.user
    vorschlag.entschieden_am = timezone.now()
    vorschlag.save()
    audit.record_action(
        principal,
        f"posteingang.vorschlag_{status}",
        eingang,
        akte=akte.aktenzeichen,
        dokumenttyp=vorschlag.entschieden_dokumenttyp,
        vorgeschlagen=vorschlag.akte.aktenzeichen if vorschlag.akte else "",
    )
    return vorschlag
