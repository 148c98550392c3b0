"""Scale data: many Akten, Vorgänge and Dokumente in little time, for benchmarks.

``create_scale_data(mandant=…, dokumente=N)`` adds N Dokumente in ⌈N/5⌉ Vorgänge in ⌈N/25⌉ Akten
(five Dokumente per Vorgang, five Vorgänge per Akte). One unit — the demo clerk's ``32.1`` —
holds a tenth of the Akten, the others share the rest, each Akte at a leaf of the Aktenplan
that the unit leads.

Rows are written with ``bulk_create`` in batches instead of through the services, and the run
writes **one** audit event (``demo.scale``) with the counts instead of one per row. The data
still keeps every rule of the model:

* Aktenzeichen follow the Mandant's rule and are unique: numbers continue from each counter
  scope's ``Laufnummer`` (locked for the run), skip numbers taken already, and the counters are
  set to the highest number used — later ``akte_create`` calls go on from there;
* closed (zdA) Akten have only finished Vorgänge and a retention date from their position;
* a confidential Akte names its creator (as ``akte_create`` does);
* every Dokument has one current original version pointing at one of a handful of stored
  PDFs — content-addressed, so identical content is one Blob and one file.

The whole run is one transaction: it adds everything or nothing.
"""

from __future__ import annotations

import math
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsfluss.akte.aktenzeichen import AktenzeichenTeile, counter_scope, render
from amtsfluss.akte.models import (
    Akte,
    Aktenplanposition,
    AktenStatus,
    Beteiligung,
    Dokument,
    Dokumenttyp,
    Dokumentversion,
    FruehereAktenzeichen,
    Laufnummer,
    Rendition,
    Richtung,
    Vertraulichkeit,
    Vorgang,
    VorgangStatus,
)
from amtsfluss.akte.retention import aufbewahren_bis
from amtsfluss.akte.services.aktenzeichen import pattern_of
from amtsfluss.core import audit
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import (
    Blob,
    Mandant,
    Membership,
    Organisationseinheit,
    OrganisationseinheitClosure,
    Role,
    User,
)
from amtsfluss.core.services.blobs import blob_store
from amtsfluss.core.text_pdf import text_pdf

DOKUMENTE_PER_VORGANG = 5
VORGAENGE_PER_AKTE = 5
FOCUS_UNIT = "32.1"
FOCUS_SHARE = 10  # every tenth Akte belongs to the focus unit
MAX_DOKUMENTE = 10_000_000
AKTEN_PER_CHUNK = 400  # 10,000 Dokumente and as many versions per round of bulk inserts
YEARS = 8
SHARED_PDFS = 5

BETREFFE = (
    "Antrag auf Erteilung",
    "Änderungsanzeige",
    "Widerspruch",
    "Verlängerung",
    "Anhörung",
    "Auskunftsersuchen",
    "Nachforderung von Unterlagen",
    "Beschwerde",
    "Kostenfestsetzung",
    "Stellungnahme",
)
_DOKUMENTE = (
    ("Antrag", Dokumenttyp.ANTRAG, Richtung.EINGANG),
    ("Eingangsbestätigung", Dokumenttyp.SCHREIBEN, Richtung.AUSGANG),
    ("Nachweis", Dokumenttyp.NACHWEIS, Richtung.EINGANG),
    ("Aktenvermerk", Dokumenttyp.VERMERK, Richtung.INTERN),
    ("Bescheid", Dokumenttyp.BESCHEID, Richtung.AUSGANG),
    ("Rückfrage per E-Mail", Dokumenttyp.EMAIL, Richtung.EINGANG),
    ("Gebührenrechnung", Dokumenttyp.RECHNUNG, Richtung.AUSGANG),
    ("Schreiben", Dokumenttyp.SCHREIBEN, Richtung.EINGANG),
)
NACHNAMEN = (
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
)
VORNAMEN = ("Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hannah", "Jonas", "Lea")
_FIRMEN = ("GmbH", "KG", "e. K.", "UG (haftungsbeschränkt)", "GbR", "AG")
_STATUS_OPEN = (
    VorgangStatus.NEU,
    VorgangStatus.IN_BEARBEITUNG,
    VorgangStatus.IN_BEARBEITUNG,
    VorgangStatus.WARTET,
    VorgangStatus.ERLEDIGT,
)


@dataclass(frozen=True)
class ScaleResult:
    akten: int
    vorgaenge: int
    dokumente: int
    blobs: int
    seconds: float


def scale_counts(dokumente: int) -> tuple[int, int]:
    """(Akten, Vorgänge) for ``dokumente`` Dokumente: five per Vorgang, five Vorgänge per Akte."""
    vorgaenge = math.ceil(dokumente / DOKUMENTE_PER_VORGANG)
    return math.ceil(vorgaenge / VORGAENGE_PER_AKTE), vorgaenge


@dataclass
class _Place:
    """Where an Akte of one unit is formed, and who forms and works it."""

    unit: Organisationseinheit
    positions: list[Aktenplanposition]
    creator: User


def create_scale_data(
    *,
    mandant: Mandant,
    dokumente: int,
    progress: Callable[[int], object] | None = None,
    seed: int = 0,
) -> ScaleResult:
    """Add ``dokumente`` Dokumente (with Vorgänge and Akten) to the Mandant in one transaction."""
    if not 0 < dokumente <= MAX_DOKUMENTE:
        raise ServiceError(_("Choose between 1 and %d Dokumente.") % MAX_DOKUMENTE)
    started = time.monotonic()
    places = _places(mandant)
    blobs = [
        blob_store(mandant=mandant, content=text_pdf(_pdf_lines(n))) for n in range(SHARED_PDFS)
    ]
    n_akten, n_vorgaenge = scale_counts(dokumente)
    rng = random.Random(seed)  # noqa: S311 (synthetic data, reproducible on purpose)
    writer = _Writer(mandant=mandant, places=places, blobs=blobs, rng=rng)
    with transaction.atomic():
        writer.lock_counters()
        done_vorgaenge = done_dokumente = 0
        for first in range(0, n_akten, AKTEN_PER_CHUNK):
            count = min(AKTEN_PER_CHUNK, n_akten - first)
            vorgaenge = min(count * VORGAENGE_PER_AKTE, n_vorgaenge - done_vorgaenge)
            docs = min(vorgaenge * DOKUMENTE_PER_VORGANG, dokumente - done_dokumente)
            writer.write_chunk(first_akte=first, akten=count, vorgaenge=vorgaenge, dokumente=docs)
            done_vorgaenge += vorgaenge
            done_dokumente += docs
            if progress is not None:
                progress(docs)
        writer.save_counters()
        result = ScaleResult(
            akten=n_akten,
            vorgaenge=n_vorgaenge,
            dokumente=dokumente,
            blobs=len({blob.pk for blob in blobs}),
            seconds=time.monotonic() - started,
        )
        audit.record(
            mandant=mandant,
            actor=None,
            action="demo.scale",
            object_type="akte.akte",
            details={
                "akten": result.akten,
                "vorgaenge": result.vorgaenge,
                "dokumente": result.dokumente,
                "dokumentversionen": result.dokumente,
                "blobs": result.blobs,
                "seed": seed,
            },
        )
    return result


def _pdf_lines(n: int) -> list[str]:
    return [
        "Stadt Musterstadt",
        f"Beispieldokument {n + 1} von {SHARED_PDFS} der Skalierungsdaten",
        "Dieses Dokument ist erfunden und dient Last- und Leistungstests.",
    ]


def _places(mandant: Mandant) -> tuple[_Place, list[_Place]]:
    """The focus unit's place and the others' — units that lead at least one leaf position."""
    leaves: dict[int, list[Aktenplanposition]] = defaultdict(list)
    for position in Aktenplanposition.objects.filter(
        mandant=mandant, is_leaf=True, is_active=True, federfuehrende_oe__isnull=False
    ).order_by("kennzeichen"):
        if position.federfuehrende_oe_id is not None:
            leaves[position.federfuehrende_oe_id].append(position)
    if not leaves:
        raise ServiceError(
            _("The Aktenplan has no positions with a federführende OE; import one first.")
        )
    units = Organisationseinheit.objects.filter(mandant=mandant, pk__in=leaves).order_by("code")
    creators = _creators(mandant)
    fallback = User.objects.filter(mandant=mandant, is_active=True).order_by("pk").first()
    if fallback is None:
        raise ServiceError(_("The Mandant has no staff to form Akten."))
    places = [
        _Place(unit=unit, positions=leaves[unit.pk], creator=creators.get(unit.pk, fallback))
        for unit in units
    ]
    focus = next((p for p in places if p.unit.code == FOCUS_UNIT), places[0])
    others = [p for p in places if p is not focus] or [focus]
    return focus, others


def _creators(mandant: Mandant) -> dict[int, User]:
    """For each unit, a Sachbearbeitung (else any member) whose role reaches it."""
    ranked = sorted(
        Membership.objects.filter(mandant=mandant, user__is_active=True).select_related("user"),
        key=lambda m: (m.role != Role.SACHBEARBEITUNG, m.pk),
    )
    creators: dict[int, User] = {}
    for membership in ranked:
        below = OrganisationseinheitClosure.objects.filter(
            mandant=mandant, ancestor_id=membership.unit_id
        ).values_list("descendant_id", "depth")
        for unit_id, _depth in sorted(below, key=lambda row: row[1]):
            creators.setdefault(unit_id, membership.user)
    return creators


class _Writer:
    """Builds and bulk-inserts one chunk of Akten with their Vorgänge and Dokumente."""

    def __init__(
        self,
        *,
        mandant: Mandant,
        places: tuple[_Place, list[_Place]],
        blobs: list[Blob],
        rng: random.Random,
    ) -> None:
        self.mandant = mandant
        self.focus, self.others = places
        self.blobs = blobs
        self.rng = rng
        self.pattern = pattern_of(mandant)
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.counters: dict[str, Laufnummer] = {}
        self.last: dict[str, int] = {}
        self.taken: set[str] = set()
        self.other_index = 0

    # --- Aktenzeichen ---------------------------------------------------------------------

    def lock_counters(self) -> None:
        """Lock every counter of the Mandant for the run; remember the Aktenzeichen in use."""
        self.counters = {
            row.scope: row
            for row in Laufnummer.objects.select_for_update().filter(mandant=self.mandant)
        }
        self.last = {scope: row.letzte for scope, row in self.counters.items()}
        self.taken = set(
            Akte.objects.filter(mandant=self.mandant).values_list("aktenzeichen", flat=True)
        ) | set(
            FruehereAktenzeichen.objects.filter(mandant=self.mandant).values_list(
                "aktenzeichen", flat=True
            )
        )

    def _aktenzeichen(self, teile: AktenzeichenTeile) -> tuple[str, int]:
        scope = counter_scope(self.pattern, teile)
        nr = self.last.get(scope, 0)
        while True:
            nr += 1
            aktenzeichen = render(self.pattern, teile, nr)
            if aktenzeichen not in self.taken:
                break
        self.last[scope] = nr
        self.taken.add(aktenzeichen)
        return aktenzeichen, nr

    def save_counters(self) -> None:
        changed = [row for scope, row in self.counters.items() if self.last[scope] != row.letzte]
        for row in changed:
            row.letzte = self.last[row.scope]
        Laufnummer.objects.bulk_update(changed, ["letzte"], batch_size=1000)
        Laufnummer.objects.bulk_create(
            [
                Laufnummer(mandant=self.mandant, scope=scope, letzte=last)
                for scope, last in self.last.items()
                if scope not in self.counters
            ],
            batch_size=1000,
        )

    # --- rows -----------------------------------------------------------------------------

    def _place(self, index: int) -> _Place:
        if index % FOCUS_SHARE == 0:
            return self.focus
        self.other_index += 1
        return self.others[self.other_index % len(self.others)]

    def write_chunk(self, *, first_akte: int, akten: int, vorgaenge: int, dokumente: int) -> None:
        """Insert ``akten`` Akten with their first ``vorgaenge`` Vorgänge and ``dokumente``
        Dokumente. Foreign keys are set by id: model instances per row cost most of the time.
        """
        rng = self.rng
        mandant_id = self.mandant.pk
        new_akten: list[Akte] = []
        contexts: list[tuple[_Place, Aktenplanposition]] = []
        for index in range(first_akte, first_akte + akten):
            place = self._place(index)
            position = rng.choice(place.positions)
            jahr = self.today.year - min(int(rng.expovariate(0.5)), YEARS - 1)
            aktenzeichen, nr = self._aktenzeichen(
                AktenzeichenTeile(oe=place.unit.code, kennzeichen=position.kennzeichen, jahr=jahr)
            )
            closed = jahr < self.today.year - 1 and rng.random() < 0.6
            geschlossen = date(jahr + 1, rng.randint(1, 12), rng.randint(1, 28)) if closed else None
            vertraulich = rng.random() < 0.05
            new_akten.append(
                Akte(
                    mandant_id=mandant_id,
                    position_id=position.pk,
                    aktenzeichen=aktenzeichen,
                    laufnummer=nr,
                    jahr=jahr,
                    titel=f"{position.titel} – {self._name()}"[:300],
                    federfuehrende_oe_id=place.unit.pk,
                    vertraulichkeit=Vertraulichkeit.VERTRAULICH
                    if vertraulich
                    else Vertraulichkeit.OFFEN,
                    status=AktenStatus.ZDA if closed else AktenStatus.OFFEN,
                    geschlossen_am=geschlossen,
                    aufbewahren_bis=None
                    if geschlossen is None
                    else aufbewahren_bis(
                        geschlossen_am=geschlossen,
                        jahre=position.aufbewahrung_jahre,
                        dauernd=position.aufbewahrung_dauernd,
                    ),
                    created_by_id=place.creator.pk,
                )
            )
            contexts.append((place, position))
        Akte.objects.bulk_create(new_akten)
        Beteiligung.objects.bulk_create(
            [
                Beteiligung(
                    mandant_id=mandant_id,
                    akte_id=akte.pk,
                    user_id=place.creator.pk,
                    darf_bearbeiten=True,
                    created_by_id=place.creator.pk,
                )
                for akte, (place, _position) in zip(new_akten, contexts, strict=True)
                if akte.vertraulichkeit != Vertraulichkeit.OFFEN
            ]
        )

        new_vorgaenge: list[Vorgang] = []
        vorgang_context: list[tuple[_Place, date]] = []  # (place, latest possible date)
        for i in range(vorgaenge):
            akte = new_akten[i // VORGAENGE_PER_AKTE]
            place, position = contexts[i // VORGAENGE_PER_AKTE]
            new_vorgaenge.append(self._vorgang(akte, place, position))
            vorgang_context.append((place, akte.geschlossen_am or self.today))
        Vorgang.objects.bulk_create(new_vorgaenge)

        new_dokumente: list[Dokument] = []
        creators: list[int] = []
        for i in range(dokumente):
            vorgang = new_vorgaenge[i // DOKUMENTE_PER_VORGANG]
            place, latest = vorgang_context[i // DOKUMENTE_PER_VORGANG]
            new_dokumente.append(self._dokument(vorgang, latest))
            creators.append(place.creator.pk)
        Dokument.objects.bulk_create(new_dokumente)
        blob_ids = [blob.pk for blob in self.blobs]
        Dokumentversion.objects.bulk_create(
            [
                Dokumentversion(
                    mandant_id=mandant_id,
                    dokument_id=dokument.pk,
                    nummer=1,
                    rendition=Rendition.ORIGINAL,
                    blob_id=blob_ids[dokument.pk % len(blob_ids)],
                    dateiname=f"{dokument.dokumenttyp}-{dokument.pk}.pdf",
                    media_type="application/pdf",
                    kommentar="erste Fassung",
                    ist_aktuell=True,
                    created_by_id=creator,
                )
                for dokument, creator in zip(new_dokumente, creators, strict=True)
            ]
        )

    def _vorgang(self, akte: Akte, place: _Place, position: Aktenplanposition) -> Vorgang:
        rng = self.rng
        start = date(akte.jahr, 1, 1)
        last = akte.geschlossen_am or self.today
        eingang = start + timedelta(days=rng.randrange(max(1, (last - start).days)))
        status = VorgangStatus.ERLEDIGT if akte.geschlossen_am else rng.choice(_STATUS_OPEN)
        erledigt_am = None
        if status == VorgangStatus.ERLEDIGT:
            done = min(eingang + timedelta(days=rng.randint(1, 90)), last)
            erledigt_am = datetime(done.year, done.month, done.day, 12, tzinfo=UTC)
        frist = None
        if status != VorgangStatus.ERLEDIGT and rng.random() < 0.4:
            frist = self.today + timedelta(days=rng.randint(-20, 40))
        assigned = place is self.focus and rng.random() < 0.3
        return Vorgang(
            mandant_id=self.mandant.pk,
            akte_id=akte.pk,
            betreff=f"{rng.choice(BETREFFE)} ({position.titel})"[:300],
            eingangsdatum=eingang,
            bearbeitende_oe_id=place.unit.pk,
            bearbeiter_id=place.creator.pk if assigned else None,
            frist=frist,
            status=status,
            erledigt_am=erledigt_am,
        )

    def _dokument(self, vorgang: Vorgang, latest: date) -> Dokument:
        rng = self.rng
        titel, typ, richtung = rng.choice(_DOKUMENTE)
        datum = min(vorgang.eingangsdatum + timedelta(days=rng.randint(0, 30)), latest)
        return Dokument(
            mandant_id=self.mandant.pk,
            vorgang_id=vorgang.pk,
            titel=f"{titel} vom {datum:%d.%m.%Y}",
            dokumentdatum=datum,
            absender_empfaenger="" if richtung == Richtung.INTERN else self._name(),
            richtung=richtung,
            dokumenttyp=typ,
        )

    def _name(self) -> str:
        rng = self.rng
        name = rng.choice(NACHNAMEN)
        if rng.random() < 0.3:
            return f"{name} {rng.choice(_FIRMEN)}"
        return f"{rng.choice(VORNAMEN)} {name}"
