"""Helpers of the classification tests: a small Aktenplan with sibling positions, Akten, filed
letters with their text, and letters received through the real pipeline (plain text: fast)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils import timezone

from amtsfluss.akte.models import Akte, Aktenplanposition, Dokument, Dokumentversion, Richtung
from amtsfluss.akte.services.akte import check_akte_create
from amtsfluss.akte.services.aktenplan import position_create
from amtsfluss.akte.services.dokument import dokument_create
from amtsfluss.akte.services.vorgang import vorgang_create
from amtsfluss.core.models import Organisationseinheit, User
from amtsfluss.core.permissions import Principal
from amtsfluss.posteingang.klassifikation import korpus
from amtsfluss.posteingang.models import Eingang, Vorschlag
from amtsfluss.posteingang.services.text import store_text
from tests.posteingang.conftest import Post

#: (Kennzeichen, title, description) of the leaves below "32 Ordnung" and "33 Bürgerdienste"
LEAVES = (
    ("32.1", "Gaststätten", "Gaststättenerlaubnis Schankwirtschaft Ausschank Sperrzeit"),
    ("32.2", "Märkte", "Wochenmarkt Marktstand Standplatz Marktordnung"),
    ("32.3", "Sondernutzung", "Sondernutzungserlaubnis Gehweg Außengastronomie Baustelle"),
    ("33.1", "Fundsachen", "Fundbüro Fundsache verloren gefunden Finderlohn"),
    ("33.2", "Meldewesen", "Anmeldung Abmeldung Wohnsitz Meldebescheinigung"),
)


@dataclass
class Plan:
    positions: dict[str, Aktenplanposition]


def aktenplan(post: Post, unit: Organisationseinheit | None = None) -> Plan:
    """The leaves of ``LEAVES``, all led by ``unit`` (the clerk's 32.1 unless named)."""
    w = post.w
    lead = unit or post.unit
    for kennzeichen, titel in (("32", "Ordnung"), ("33", "Bürgerdienste")):
        position_create(
            mandant=w.a,
            kennzeichen=kennzeichen,
            titel=titel,
            aufbewahrung_jahre=None,
            archivwuerdigkeit="",
            federfuehrende_oe=lead,
            by=None,
        )
    out = {}
    for kennzeichen, titel, beschreibung in LEAVES:
        leaf = position_create(
            mandant=w.a,
            kennzeichen=kennzeichen,
            titel=titel,
            aufbewahrung_jahre=5,
            archivwuerdigkeit="B",
            federfuehrende_oe=lead,
            by=None,
        )
        Aktenplanposition.objects.filter(pk=leaf.pk).update(beschreibung=beschreibung)
        leaf.refresh_from_db()
        out[kennzeichen] = leaf
    return Plan(positions=out)


def akte(user: User, position: Aktenplanposition, titel: str, **options: object) -> Akte:
    principal = Principal(user=user, mandant=position.mandant)
    return check_akte_create(principal=principal, position=position, titel=titel, **options)  # type: ignore[arg-type]


def file_letter(user: User, target: Akte, text: str, dokumenttyp: str) -> Dokument:
    """A received letter filed in ``target`` with its text kept for the search."""
    principal = Principal(user=user, mandant=target.mandant)
    vorgang = vorgang_create(principal=principal, akte=target, betreff="Schreiben")
    dokument = dokument_create(
        principal=principal,
        vorgang=vorgang,
        titel="Brief",
        dokumentdatum=timezone.localdate(),
        richtung=Richtung.EINGANG,
        dokumenttyp=dokumenttyp,
        content=io.BytesIO(text.encode()),
        dateiname="brief.txt",
        media_type="text/plain",
    )
    store_text(Dokumentversion.objects.get(dokument=dokument), text, "office")
    return dokument


def filed_corpus(post: Post, plan: Plan, **options: int) -> dict[str, Akte]:
    """The generated letters of ``plan``'s positions filed into real Akten (one per generated
    Aktenzeichen); returns generated Aktenzeichen → Akte."""
    w = post.w
    akten: dict[str, Akte] = {}
    for b in korpus.generated_examples(mandant=w.a, aktenzeichen_share=0.0, **options):
        if b.akte not in akten:
            akten[b.akte] = akte(w.clerk, plan.positions[b.position], f"Akte {b.akte}")
        file_letter(w.clerk, akten[b.akte], b.text, b.dokumenttyp)
    return akten


def receive_letter(post: Post, text: str, **options: object) -> Eingang:
    """A letter received (plain text) and run through the whole pipeline."""
    sendung = post.receive(("brief.txt", text.encode()), **options)
    [eingang] = post.process(sendung)
    return eingang


def vorschlag_of(eingang: Eingang) -> Vorschlag:
    return Vorschlag.objects.select_related("akte", "vorgang").get(eingang=eingang)
