"""Labelled examples: the Mandant's own filed documents (for training), or a generated corpus of
German-looking letters per Aktenplan position (fixed seed) for the evaluation and the tests.

Labels are strings: primary keys for the Mandant's examples; Kennzeichen, unit codes and
Aktenzeichen for the generated ones (whose Akten need not exist).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db.models import F, Q
from django.db.models.functions import Substr

from amtsfluss.akte.aktenzeichen import AktenzeichenTeile, render
from amtsfluss.akte.models import Aktenplanposition, Dokumenttyp
from amtsfluss.akte.scale import BETREFFE, NACHNAMEN, VORNAMEN
from amtsfluss.akte.services.aktenzeichen import pattern_of
from amtsfluss.core.models import Mandant
from amtsfluss.posteingang.klassifikation import modell
from amtsfluss.posteingang.models import Eingang, PosteingangEinstellung
from amtsfluss.posteingang.services.text import search_text_model

#: the newest filed documents a training reads at most
MAX_EXAMPLES = 20_000
SEED = 4711


@dataclass(frozen=True)
class Beispiel:
    text: str
    position: str
    unit: str
    dokumenttyp: str
    akte: str
    absender: str = ""


def labels_of(beispiele: list[Beispiel]) -> dict[str, list[str]]:
    return {name: [getattr(b, name) for b in beispiele] for name in modell.TARGETS}


def _posteingang_position(mandant: Mandant) -> int | None:
    return (
        PosteingangEinstellung.objects.filter(mandant=mandant)
        .values_list("aktenplanposition_id", flat=True)
        .first()
    )


def filed_examples(*, mandant: Mandant, limit: int = MAX_EXAMPLES) -> list[Beispiel]:
    """The Mandant's newest filed documents with text, labelled with where they lie now —
    except those still in a "Posteingang <year>" Akte (not routed yet: no label)."""
    unrouted = _posteingang_position(mandant)
    model = search_text_model()
    if model is not None:
        rows = model._default_manager.filter(mandant=mandant)
        prefix = "dokumentversion__dokument__"
    else:
        rows = Eingang.objects.filter(mandant=mandant, dokument__isnull=False).exclude(text="")
        prefix = "dokument__"
    akte = f"{prefix}vorgang__akte"
    if unrouted is not None:
        rows = rows.filter(~Q(**{f"{akte}__position_id": unrouted}))
    values = (
        rows.order_by("-pk")
        .annotate(
            head=Substr("text", 1, modell.MAX_CHARS),
            l_position=F(f"{akte}__position_id"),
            l_unit=F(f"{akte}__federfuehrende_oe_id"),
            l_typ=F(f"{prefix}dokumenttyp"),
            l_akte=F(f"{akte}_id"),
        )
        .values_list("head", "l_position", "l_unit", "l_typ", "l_akte")[:limit]
    )
    return [
        Beispiel(text=head, position=str(p), unit=str(u), dokumenttyp=t or "", akte=str(a))
        for head, p, u, t, a in values
        if head and head.strip()
    ]


# --- the generated corpus ----------------------------------------------------------------------

#: Dokumenttypen of received post, each with sentences that tend to go with it
_TYP_SAETZE: dict[str, tuple[str, ...]] = {
    Dokumenttyp.ANTRAG: (
        "Hiermit beantrage ich die Erteilung der Genehmigung.",
        "Ich stelle hiermit den Antrag und bitte um wohlwollende Prüfung.",
        "Die ausgefüllten Antragsunterlagen liegen diesem Schreiben bei.",
    ),
    Dokumenttyp.NACHWEIS: (
        "Anbei übersende ich den angeforderten Nachweis.",
        "Als Nachweis füge ich die Bescheinigung in Kopie bei.",
        "Die fehlenden Belege reiche ich hiermit nach.",
    ),
    Dokumenttyp.RECHNUNG: (
        "Wir berechnen Ihnen für die erbrachten Leistungen den folgenden Betrag.",
        "Bitte überweisen Sie den Rechnungsbetrag innerhalb von 14 Tagen.",
        "Rechnungsnummer und Leistungszeitraum entnehmen Sie der Aufstellung.",
    ),
    Dokumenttyp.SCHREIBEN: (
        "Ich wende mich mit einer Frage zum laufenden Verfahren an Sie.",
        "Bezugnehmend auf Ihr Schreiben teile ich Ihnen Folgendes mit.",
        "Leider konnte ich Sie telefonisch nicht erreichen.",
    ),
    Dokumenttyp.EMAIL: (
        "Gesendet von meinem Mobiltelefon.",
        "Diese Nachricht wurde per E-Mail versandt, bitte antworten Sie an die Absenderadresse.",
        "Weitergeleitete Nachricht, siehe unten.",
    ),
}
_SAETZE = (
    "Für Rückfragen stehe ich Ihnen gern zur Verfügung.",
    "Ich bitte um eine kurze Bestätigung des Eingangs.",
    "Die Angelegenheit ist für mich sehr dringend.",
    "Vielen Dank für Ihre Unterstützung in dieser Sache.",
    "Bitte teilen Sie mir mit, ob weitere Unterlagen benötigt werden.",
    "Ich bin tagsüber unter der angegebenen Nummer erreichbar.",
    "Eine Kopie dieses Schreibens habe ich für meine Unterlagen behalten.",
    "Die Frist habe ich hoffentlich eingehalten.",
    "Bitte entschuldigen Sie die späte Rückmeldung.",
    "Ich verweise auf unser Gespräch im Bürgerbüro.",
)
_STRASSEN = ("Hauptstraße", "Bahnhofstraße", "Gartenweg", "Am Markt", "Schillerstraße", "Ringweg")


def _topic(position: Aktenplanposition) -> list[str]:
    words = [w.strip(",.;:()") for w in f"{position.titel} {position.beschreibung}".split()]
    return [w for w in words if len(w) > 3] or [position.titel]


def _siblings(
    leaves: list[Aktenplanposition], count: int, chance: random.Random
) -> list[Aktenplanposition]:
    """``count`` leaves in groups of up to three siblings (letters to neighbouring positions
    are what a model confuses), chosen with the seed."""
    by_parent: dict[int | None, list[Aktenplanposition]] = {}
    for leaf in leaves:
        by_parent.setdefault(leaf.parent_id, []).append(leaf)
    groups = [group for group in by_parent.values() if len(group) >= 2]
    chance.shuffle(groups)
    chosen: list[Aktenplanposition] = []
    for group in groups:
        chosen.extend(chance.sample(group, min(3, len(group))))
        if len(chosen) >= count:
            break
    return sorted(chosen[:count], key=lambda p: p.kennzeichen)


def generated_examples(
    *,
    mandant: Mandant,
    positions: int = 60,
    akten_per_position: int = 2,
    letters_per_akte: int = 8,
    seed: int = SEED,
    aktenzeichen_share: float = 0.3,
) -> list[Beispiel]:
    """Letters to ``positions`` leaves of the Mandant's Aktenplan (siblings, chosen with the
    seed among those with a federführende OE), ``akten_per_position`` Akten each. A person
    writes to about two Akten; a letter names its topic (words of the position) only now and
    then, its Dokumenttyp by a typical sentence mostly, and a share cites the Aktenzeichen."""
    chance = random.Random(seed)  # noqa: S311 (a reproducible corpus, not a secret)
    pattern = pattern_of(mandant)
    leaves = list(
        Aktenplanposition.objects.filter(
            mandant=mandant, is_leaf=True, is_active=True, federfuehrende_oe__isnull=False
        )
        .select_related("federfuehrende_oe")
        .order_by("kennzeichen")
    )
    chosen = _siblings(leaves, positions, chance)
    people = [
        (chance.choice(VORNAMEN), chance.choice(NACHNAMEN), chance.choice(_STRASSEN))
        for _n in range(max(1, len(chosen) * akten_per_position // 2))
    ]
    out = []
    for position in chosen:
        unit = position.federfuehrende_oe
        if unit is None:  # the query asked for positions with one
            continue
        topic = _topic(position)
        for k in range(akten_per_position):
            teile = AktenzeichenTeile(oe=unit.code, kennzeichen=position.kennzeichen, jahr=2020 + k)
            aktenzeichen = render(pattern, teile, chance.randint(1, 999))
            vorname, nachname, strasse = chance.choice(people)
            absender = f"{vorname}.{nachname}@example.org".lower()
            for _n in range(letters_per_akte):
                typ = chance.choice(list(_TYP_SAETZE))
                lines = [f"{vorname} {nachname}", f"{strasse} {chance.randint(1, 9)}, Musterstadt"]
                if chance.random() < aktenzeichen_share:
                    lines.append(f"Ihr Zeichen: {aktenzeichen}")
                betreff = chance.choice(BETREFFE)
                if chance.random() < 0.6:
                    betreff += " " + " ".join(chance.sample(topic, min(2, len(topic))))
                lines += [f"Betreff: {betreff}", "Sehr geehrte Damen und Herren,"]
                if chance.random() < 0.75:
                    lines.append(chance.choice(_TYP_SAETZE[typ]))
                lines.extend(chance.sample(_SAETZE, 3))
                if chance.random() < 0.4:
                    lines.append(f"Es geht um {chance.choice(topic)}.")
                lines += ["Mit freundlichen Grüßen", f"{vorname} {nachname}"]
                out.append(
                    Beispiel(
                        text="\n".join(lines),
                        position=position.kennzeichen,
                        unit=unit.code,
                        dokumenttyp=str(typ),
                        akte=aktenzeichen,
                        absender=absender,
                    )
                )
    return out
