"""The suggestion step of the pipeline and the training of a Mandant's model.

:func:`eingang_classify` runs after the text is known and before filing: rules first (an
Aktenzeichen of the Mandant in the text → that Akte, and its Vorgang when it has exactly one
open; a Kassenzeichen or a sender whose earlier post was filed into one Akte), then the model
for what the rules left open. A suggestion below :data:`THRESHOLD` is not made. It never moves
anything: staff accept or correct it on the intake page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery

from amtsfluss.akte.models import (
    Akte,
    Aktenplanposition,
    AktenStatus,
    Dokumenttyp,
    FruehereAktenzeichen,
    Vorgang,
    VorgangStatus,
)
from amtsfluss.akte.services.aktenzeichen import pattern_of
from amtsfluss.core.models import Mandant, Organisationseinheit
from amtsfluss.posteingang.klassifikation import korpus, modell, regeln, speicher
from amtsfluss.posteingang.models import (
    Eingang,
    Klassifikator,
    PosteingangEinstellung,
    Sendung,
    Vorschlag,
    VorschlagStatus,
)
from amtsfluss.posteingang.models.klassifikation import ENTSCHIEDEN
from amtsfluss.posteingang.models.sendung import DEFAULT_KASSENZEICHEN_MUSTER

logger = logging.getLogger(__name__)

#: no model suggestion below this probability
THRESHOLD = 0.5
#: the sender rule: at least this many earlier Eingänge, this share of them in one Akte
SENDER_MIN = 2
SENDER_SHARE = 0.6
#: a training needs at least this many labelled documents
MIN_TRAINING_EXAMPLES = 20


@dataclass
class Befund:
    """What the rules and the model found for one text."""

    akte: Akte | None = None
    vorgang: Vorgang | None = None
    position_id: int | None = None
    unit_id: int | None = None
    dokumenttyp: str = ""
    aktenzeichen: str = ""
    kassenzeichen: str = ""
    modellversion: int | None = None
    details: dict[str, dict[str, object]] = field(default_factory=dict)

    def note(self, target: str, quelle: str, konfidenz: float) -> None:
        self.details[target] = {"quelle": quelle, "konfidenz": round(konfidenz, 3)}


def _akte_by_aktenzeichen(mandant: Mandant, found: list[str]) -> Akte | None:
    if not found:
        return None
    candidates = Akte.objects.filter(
        mandant=mandant, aktenzeichen__in=found, status=AktenStatus.OFFEN
    )
    akten = {a.aktenzeichen: a for a in candidates}
    for value in found:
        if value in akten:
            return akten[value]
    former = (
        FruehereAktenzeichen.objects.filter(
            mandant=mandant, aktenzeichen__in=found, akte__status=AktenStatus.OFFEN
        )
        .select_related("akte")
        .first()
    )
    return former.akte if former is not None else None


def _decided(mandant: Mandant) -> Q:
    return Q(mandant=mandant, status__in=ENTSCHIEDEN, entschieden_akte__status=AktenStatus.OFFEN)


def _vorgang_by_forderung(mandant: Mandant, text: str) -> tuple[Vorgang | None, str]:
    """A Kassenzeichen of the Mandant's cash office (app ``kasse``, when installed: its prefix,
    its check digits) whose Forderung belongs to a Vorgang of an open Akte → that Vorgang."""
    try:
        forderung_model = apps.get_model("kasse", "Forderung")
        empfaenger_model = apps.get_model("kasse", "Empfaenger")
    except LookupError:
        return None, ""
    praefix = (
        empfaenger_model._default_manager.filter(mandant=mandant)
        .values_list("kassenzeichen_praefix", flat=True)
        .first()
    )
    if not praefix:
        return None, ""
    from amtsfluss.kasse.kassenzeichen import find_in

    written = [
        f"{praefix}-{c[len(praefix) : len(praefix) + 4]}-{c[len(praefix) + 4 : -2]}-{c[-2:]}"
        for c in find_in(text[: regeln.MAX_CHARS], praefix)[: regeln.MAX_FOUND]
    ]
    if not written:
        return None, ""
    found = (
        forderung_model._default_manager.filter(
            mandant=mandant,
            kassenzeichen__in=written,
            vorgang__akte__status=AktenStatus.OFFEN,
        )
        .select_related("vorgang__akte")
        .first()
    )
    if found is None:
        return None, written[0]
    return found.vorgang, found.kassenzeichen


def _akte_by_kassenzeichen(mandant: Mandant, kassenzeichen: str) -> Akte | None:
    if not kassenzeichen:
        return None
    found = (
        Vorschlag.objects.filter(_decided(mandant), kassenzeichen=kassenzeichen)
        .select_related("entschieden_akte")
        .order_by("-pk")
        .first()
    )
    return found.entschieden_akte if found is not None else None


def _akte_by_sender(mandant: Mandant, absender: str) -> tuple[Akte | None, float]:
    if not absender:
        return None, 0.0
    rows = list(
        Vorschlag.objects.filter(_decided(mandant), absender=absender)
        .values("entschieden_akte")
        .annotate(n=Count("pk"))
        .order_by("-n", "entschieden_akte")[:20]
    )
    total = sum(r["n"] for r in rows)
    if not rows or total < SENDER_MIN or rows[0]["n"] / total < SENDER_SHARE:
        return None, 0.0
    return Akte.objects.get(pk=rows[0]["entschieden_akte"]), rows[0]["n"] / total


def _only_open_vorgang(akte: Akte) -> Vorgang | None:
    open_ = list(akte.vorgaenge.exclude(status=VorgangStatus.ERLEDIGT).order_by("pk")[:2])
    return open_[0] if len(open_) == 1 else None


def _apply_model(befund: Befund, mandant: Mandant, text: str) -> None:
    loaded = speicher.current(mandant.pk)
    if loaded is None or not text.strip():
        return
    klassifikator, trained = loaded
    befund.modellversion = klassifikator.version
    found = {k: v for k, v in trained.predict(text).items() if v.konfidenz >= THRESHOLD}
    if befund.akte is None and "akte" in found and found["akte"].label.isdigit():
        akte = Akte.objects.filter(
            mandant=mandant, pk=int(found["akte"].label), status=AktenStatus.OFFEN
        ).first()
        if akte is not None:
            befund.akte = akte
            befund.note("akte", "modell", found["akte"].konfidenz)
    if befund.akte is None:
        for target, model_, attr in (
            ("position", Aktenplanposition, "position_id"),
            ("unit", Organisationseinheit, "unit_id"),
        ):
            guess = found.get(target)
            if guess is not None and guess.label.isdigit():
                pk = int(guess.label)
                if model_.objects.filter(mandant=mandant, pk=pk).exists():
                    setattr(befund, attr, pk)
                    befund.note(target, "modell", guess.konfidenz)
    typ = found.get("dokumenttyp")
    if typ is not None and typ.label in Dokumenttyp.values:
        befund.dokumenttyp = typ.label
        befund.note("dokumenttyp", "modell", typ.konfidenz)


def _kassenzeichen(mandant: Mandant, text: str) -> str:
    muster = (
        PosteingangEinstellung.objects.filter(mandant=mandant)
        .values_list("kassenzeichen_muster", flat=True)
        .first()
    ) or DEFAULT_KASSENZEICHEN_MUSTER
    return regeln.find_kassenzeichen(text, muster)


def suggest(*, mandant: Mandant, text: str, absender: str = "") -> Befund:
    """Rules, then the model: where a text of ``mandant`` belongs."""
    befund = Befund()
    befund.kassenzeichen = _kassenzeichen(mandant, text)
    found = regeln.find_aktenzeichen(text, pattern_of(mandant))
    akte = _akte_by_aktenzeichen(mandant, found)
    if akte is not None:
        befund.akte, befund.aktenzeichen = akte, akte.aktenzeichen
        befund.vorgang = _only_open_vorgang(akte)
        befund.note("akte", "aktenzeichen", 1.0)
    if befund.akte is None:
        vorgang, kassenzeichen = _vorgang_by_forderung(mandant, text)
        befund.kassenzeichen = kassenzeichen or befund.kassenzeichen
        if vorgang is not None:
            befund.akte, befund.vorgang = vorgang.akte, vorgang
            befund.note("akte", "kassenzeichen", 1.0)
    if befund.akte is None:
        befund.akte = _akte_by_kassenzeichen(mandant, befund.kassenzeichen)
        if befund.akte is not None:
            befund.note("akte", "kassenzeichen", 0.95)
    if befund.akte is None:
        befund.akte, share = _akte_by_sender(mandant, absender)
        if befund.akte is not None:
            befund.note("akte", "absender", share)
    _apply_model(befund, mandant, text)
    if befund.akte is not None:  # the Akte decides position and unit
        quelle = befund.details["akte"]
        befund.position_id = befund.akte.position_id
        befund.unit_id = befund.akte.federfuehrende_oe_id
        befund.details["position"] = befund.details["unit"] = dict(quelle)
    return befund


def _target_akte_id(sendung: Sendung) -> int | None:
    if sendung.ziel_akte_id is not None:
        return sendung.ziel_akte_id
    if sendung.ziel_vorgang_id is not None:
        return Vorgang.objects.values_list("akte_id", flat=True).get(pk=sendung.ziel_vorgang_id)
    return None


def eingang_classify(*, eingang: Eingang) -> Vorschlag | None:
    """The pipeline step: note where the Eingang belongs (idempotent; the Eingang is marked
    ``klassifiziert``). A Sendung that named its target gets a decided row instead (so its
    sender and Kassenzeichen route later post); an empty suggestion is not stored."""
    sendung = Sendung.objects.only("ziel_akte_id", "ziel_vorgang_id", "received_by_id").get(
        pk=eingang.sendung_id
    )
    absender = regeln.sender_address(eingang.herkunft)
    text = eingang.text if eingang.text_done else ""
    ziel = _target_akte_id(sendung)
    vorschlag = None
    with transaction.atomic():
        if Vorschlag.objects.filter(eingang=eingang).exists():
            pass
        elif ziel is not None:
            vorschlag = Vorschlag.objects.create(
                mandant=eingang.mandant,
                eingang=eingang,
                status=VorschlagStatus.ZIEL,
                entschieden_akte_id=ziel,
                absender=absender,
                kassenzeichen=_kassenzeichen(eingang.mandant, text),
            )
        else:
            befund = suggest(mandant=eingang.mandant, text=text, absender=absender)
            found = Vorschlag(
                mandant=eingang.mandant,
                eingang=eingang,
                aktenplanposition_id=befund.position_id,
                unit_id=befund.unit_id,
                dokumenttyp=befund.dokumenttyp,
                akte=befund.akte,
                vorgang=befund.vorgang,
                details=befund.details,
                aktenzeichen=befund.aktenzeichen,
                kassenzeichen=befund.kassenzeichen,
                absender=absender,
                modellversion=befund.modellversion,
            )
            if not found.ist_leer() or found.kassenzeichen or found.absender:
                found.save()
                vorschlag = found
        Eingang.objects.filter(pk=eingang.pk).update(klassifiziert=True)
    eingang.klassifiziert = True
    return vorschlag


# --- training ----------------------------------------------------------------------------------


def _accuracy(trained: modell.Modell, beispiele: list[korpus.Beispiel]) -> dict[str, object]:
    """Per target: the classes and the accuracy on the training data (a sanity figure; the
    held-out accuracy is what ``posteingang klassifikation evaluate`` reports)."""
    out: dict[str, object] = {}
    sample = beispiele[:500]
    predictions = [trained.predict(b.text) for b in sample]
    for name, ziel in trained.ziele.items():
        right = sum(
            1 for b, p in zip(sample, predictions, strict=True) if p[name].label == getattr(b, name)
        )
        out[name] = {
            "classes": len(ziel.classes),
            "training_accuracy": round(right / len(sample), 3),
        }
    return out


def klassifikator_train(*, mandant: Mandant) -> Klassifikator | None:
    """Train a new model on the Mandant's filed documents; None if there are too few."""
    beispiele = korpus.filed_examples(mandant=mandant)
    if len(beispiele) < MIN_TRAINING_EXAMPLES:
        logger.info("posteingang: %s has %d examples, no training", mandant.slug, len(beispiele))
        return None
    trained = modell.train([b.text for b in beispiele], korpus.labels_of(beispiele))
    if not trained.ziele:
        return None
    return speicher.klassifikator_store(
        mandant=mandant,
        trained=trained,
        beispiele=len(beispiele),
        kennzahlen=_accuracy(trained, beispiele),
    )


def mandanten_to_train() -> list[int]:
    """Mandanten with a decision newer than their newest model (or decisions and no model)."""
    newest = Klassifikator.objects.filter(mandant=OuterRef("mandant")).order_by("-trained_at")
    return list(
        Vorschlag.objects.filter(status__in=ENTSCHIEDEN, entschieden_am__isnull=False)
        .annotate(last=Subquery(newest.values("trained_at")[:1]))
        .filter(Q(last__isnull=True) | Q(entschieden_am__gt=F("last")))
        .order_by("mandant_id")
        .values_list("mandant_id", flat=True)
        .distinct()
    )
