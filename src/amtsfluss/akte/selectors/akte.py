"""The Akte page (file cover) and the Vorgang page: everything in a constant number of queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from amtsfluss.akte.models import (
    Akte,
    Aktenplanposition,
    Beteiligter,
    Dokument,
    Dokumentversion,
    FruehereAktenzeichen,
    Vorgang,
    VorgangStatus,
    Wiedervorlage,
)
from amtsfluss.akte.permissions import permitted_akte_ids
from amtsfluss.core.models import AuditEvent
from amtsfluss.core.models.audit import Outcome
from amtsfluss.core.permissions import Action, Principal

HISTORY_LIMIT = 100


@dataclass(frozen=True)
class AkteCover:
    akte: Akte
    vorgaenge: Sequence[Vorgang]
    beteiligte: list[Beteiligter]
    fruehere_aktenzeichen: list[FruehereAktenzeichen]
    wiedervorlagen: list[Wiedervorlage]
    history: list[AuditEvent]


def current_versions() -> Prefetch[str]:
    return Prefetch(
        "versionen",
        queryset=Dokumentversion.objects.filter(ist_aktuell=True)
        .select_related("blob")
        .order_by("rendition"),
        to_attr="aktuelle_versionen",
    )


def akte_cover(*, principal: Principal, akte: Akte) -> AkteCover:
    """The file cover of an Akte already fetched with ``access_akte`` (so: permitted)."""
    vorgaenge = list(
        Vorgang.objects.filter(akte=akte)
        .select_related("bearbeiter", "bearbeitende_oe")
        .annotate(dokument_count=Count("dokumente"))
        .prefetch_related(
            Prefetch(
                "dokumente",
                queryset=Dokument.objects.order_by("dokumentdatum", "pk").prefetch_related(
                    current_versions()
                ),
            )
        )
        .order_by("eingangsdatum", "pk")
    )
    return AkteCover(
        akte=akte,
        vorgaenge=vorgaenge,
        beteiligte=list(
            Beteiligter.objects.filter(akte=akte).select_related("person").order_by("rolle")
        ),
        fruehere_aktenzeichen=list(FruehereAktenzeichen.objects.filter(akte=akte).order_by("bis")),
        wiedervorlagen=list(
            Wiedervorlage.objects.filter(
                Q(akte=akte) | Q(vorgang__akte=akte), erledigt_am__isnull=True
            )
            .select_related("fuer_user", "fuer_oe")
            .order_by("faellig_am")
        ),
        # refused attempts of others are about those persons, not the Akte (as in the API)
        history=list(
            AuditEvent.objects.filter(
                mandant=principal.mandant, object_type="akte.akte", object_id=str(akte.pk)
            )
            .exclude(outcome=Outcome.DENIED)
            .order_by("-seq")[:HISTORY_LIMIT]
        ),
    )


def vorgang_dokumente(*, vorgang: Vorgang) -> list[Dokument]:
    """The Vorgang page's documents with all versions (newest first), in two queries."""
    return list(
        Dokument.objects.filter(vorgang=vorgang)
        .prefetch_related(
            Prefetch(
                "versionen",
                queryset=Dokumentversion.objects.select_related("blob", "created_by").order_by(
                    "-nummer", "rendition"
                ),
            )
        )
        .order_by("dokumentdatum", "pk")
    )


def open_vorgang_count(akte: Akte) -> int:
    return Vorgang.objects.filter(akte=akte).exclude(status=VorgangStatus.ERLEDIGT).count()


def aktenplan_tree(*, principal: Principal) -> Sequence[Aktenplanposition]:
    """All positions of the Mandant in Kennzeichen order (one query), each with the number of
    Akten filed there *that the principal may see* (a count of all would leak confidential
    Akten)."""
    visible = permitted_akte_ids(principal, Action.VIEW)
    positions = list(
        Aktenplanposition.objects.filter(mandant=principal.mandant)
        .select_related("federfuehrende_oe")
        .annotate(akten_count=Count("akten", filter=Q(akten__in=visible)))
    )
    positions.sort(key=lambda p: p.sort_key)
    return positions
