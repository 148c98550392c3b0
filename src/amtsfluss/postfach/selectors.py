"""Reads of the Postfach: the messages of a Vorgang, the unread answers one may see, and the
Dokumente the applicant may download."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from amtsfluss.akte.models import Dokument, Dokumentversion, Rendition, Vorgang
from amtsfluss.core.permissions import Action, Principal, permitted
from amtsfluss.dienste.models import Antrag
from amtsfluss.posteingang.models import Eingang
from amtsfluss.postfach.models import Nachricht, Richtung


def nachrichten_for_vorgang(vorgang: Vorgang) -> QuerySet[Nachricht]:
    """The messages of a Vorgang in order, with their Dokumente and an answer's files.

    The caller has authorised the Vorgang (staff: ``access_vorgang``; the applicant: the
    Antrag's status token)."""
    return (
        Nachricht.objects.filter(mandant_id=vorgang.mandant_id, vorgang=vorgang)
        .select_related("verfasst_von")
        .prefetch_related(
            Prefetch("dokumente", queryset=Dokument.objects.order_by("pk")),
            Prefetch(
                "sendung__eingaenge",
                queryset=Eingang.objects.filter(ist_nachricht=False).order_by("position"),
            ),
        )
        .order_by("created_at", "pk")
    )


def ungelesene_antworten(*, principal: Principal) -> QuerySet[Nachricht]:
    """The applicants' unread answers in Vorgänge the principal may see (one query)."""
    return (
        permitted(Nachricht, principal=principal, action=Action.VIEW)
        .filter(richtung=Richtung.VON_ANTRAGSTELLER, gelesen_am__isnull=True)
        .select_related("vorgang__akte")
        .order_by("created_at", "pk")
    )


def buerger_dokumentversion(*, vorgang: Vorgang, dokument_pk: int) -> Dokumentversion | None:
    """The current version the applicant may download: only a Dokument attached to a message
    sent to the applicant of this Vorgang (the PDF/A rendition when there is one)."""
    sent = Nachricht.objects.filter(
        mandant_id=vorgang.mandant_id, vorgang=vorgang, richtung=Richtung.AN_ANTRAGSTELLER
    ).values("dokumente")
    versions = Dokumentversion.objects.filter(
        mandant_id=vorgang.mandant_id,
        dokument_id=dokument_pk,
        dokument__vorgang=vorgang,
        dokument_id__in=sent,
        ist_aktuell=True,
    ).select_related("blob", "dokument")
    found = {version.rendition: version for version in versions}
    return found.get(Rendition.ARCHIV) or found.get(Rendition.ORIGINAL)


def antrag_for(vorgang: Vorgang) -> Antrag | None:
    """The online Antrag the Vorgang was formed from, if any."""
    from amtsfluss.dienste.selectors.antrag import antrag_for_vorgang  # dienste builds on us

    return antrag_for_vorgang(vorgang)


def antragsteller_email(vorgang: Vorgang) -> str:
    """Where the applicant is notified: the Antrag's address, else the last one written to."""
    antrag = antrag_for(vorgang)
    if antrag is not None and antrag.antragsteller_email:
        return antrag.antragsteller_email
    last = (
        Nachricht.objects.filter(vorgang=vorgang, richtung=Richtung.AN_ANTRAGSTELLER)
        .exclude(empfaenger_email="")
        .order_by("-created_at", "-pk")
        .values_list("empfaenger_email", flat=True)
        .first()
    )
    return last or ""
