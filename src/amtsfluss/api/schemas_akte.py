"""Input and output schemas of the E-Akte API: Aktenplan, Akten, Vorgänge, Dokumente, WV.

Inputs reject what the database cannot hold (see ``api.schemas``); whether a request makes
sense (a leaf position, an open Akte, a unit of this Mandant) is the services' decision, which
answers 400 with a translated message.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import Annotated, Literal, Self

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from ninja import Field, Schema
from pydantic import AfterValidator, model_validator

from amtsfluss.akte.models import (
    AktenStatus,
    Archivwuerdigkeit,
    Dokument,
    Dokumenttyp,
    Dokumentversion,
    PersonArt,
    Rendition,
    Richtung,
    Vertraulichkeit,
    VorgangStatus,
)
from amtsfluss.akte.selectors.inbox import InboxView
from amtsfluss.api.schemas import Id, Line, Moment, Page, UnitRef, UserRef

# --- input types ------------------------------------------------------------------------------

_TEXT_CONTROLS_ALLOWED = "\n\r\t"


def _text(value: str) -> str:
    if any(
        unicodedata.category(char) in ("Cc", "Cs") and char not in _TEXT_CONTROLS_ALLOWED
        for char in value
    ):
        raise ValueError("control characters other than line breaks and tabs are not allowed")
    return value


def _day(value: date) -> date:
    if not date(1900, 1, 1) <= value < date(9000, 1, 1):
        raise ValueError("date must lie between 1900 and 9000")
    return value


def _email(value: str) -> str:
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValueError("not a valid e-mail address") from None
    return value


#: Text over several lines (tabs and line breaks allowed, other control characters not).
Text = Annotated[str, AfterValidator(_text)]
#: A calendar day between 1900 and 9000.
Day = Annotated[date, AfterValidator(_day)]


# --- references -------------------------------------------------------------------------------


class PositionRef(Schema):
    id: int
    kennzeichen: str
    titel: str


class AkteRef(Schema):
    id: int
    aktenzeichen: str
    titel: str


# --- Aktenplan --------------------------------------------------------------------------------


class AktenplanpositionOut(Schema):
    id: int
    parent_id: int | None
    kennzeichen: str
    titel: str
    beschreibung: str
    is_leaf: bool = Field(description="Akten are formed only at leaves.")
    is_active: bool
    aufbewahrung_jahre: int | None = Field(description="Retention in years after zdA.")
    aufbewahrung_dauernd: bool = Field(description="Kept permanently.")
    archivwuerdigkeit: str = Field(description="Archive hint: A, B, V, or empty.")
    federfuehrende_oe_id: int | None


class AktenplanpositionPage(Page):
    items: list[AktenplanpositionOut]


class AktenplanpositionIn(Schema):
    kennzeichen: Line = Field(
        max_length=40, description="Digit groups separated by dots; the prefix is the parent."
    )
    titel: Line = Field(min_length=1, max_length=300)
    beschreibung: Text = Field("", max_length=5000)
    aufbewahrung_jahre: int | None = Field(None, ge=1, le=200)
    aufbewahrung_dauernd: bool = False
    archivwuerdigkeit: Archivwuerdigkeit | Literal[""] = ""
    federfuehrende_oe_id: Id | None = None


class AktenplanExportParams(Schema):
    format: Literal["csv", "json"] = Field("csv", description="CSV (for Excel) or JSON.")


# --- Akten ------------------------------------------------------------------------------------


class AkteOut(Schema):
    id: int
    aktenzeichen: str
    titel: str
    position: PositionRef
    federfuehrende_oe: UnitRef
    vertraulichkeit: str
    status: str
    jahr: int
    geschlossen_am: date | None
    aufbewahren_bis: date | None
    created_by: UserRef
    created_at: datetime


class AktePage(Page):
    items: list[AkteOut]


class AkteFilter(Schema):
    position: Id | None = Field(None, description="Aktenplan position id")
    status: AktenStatus | None = None
    federfuehrende_oe: Id | None = Field(None, description="unit id")
    q: Line | None = Field(
        None, min_length=1, max_length=100, description="part of the Aktenzeichen or title"
    )


class AkteIn(Schema):
    position_id: Id = Field(description="A leaf of the Aktenplan.")
    titel: Line = Field(min_length=1, max_length=300)
    federfuehrende_oe_id: Id | None = Field(
        None, description="Defaults to the position's federführende OE."
    )
    vertraulichkeit: Vertraulichkeit = Vertraulichkeit.OFFEN


class RefileIn(Schema):
    position_id: Id = Field(description="The new leaf position; the Akte gets a new Aktenzeichen.")


class PersonOut(Schema):
    id: int
    art: str
    name: str
    vorname: str
    geburtsdatum: date | None
    registernummer: str
    strasse: str
    plz: str
    ort: str
    email: str


class PersonIn(Schema):
    art: PersonArt
    name: Line = Field(min_length=1, max_length=200)
    vorname: Line = Field("", max_length=100)
    geburtsdatum: Day | None = None
    registernummer: Line = Field("", max_length=60)
    strasse: Line = Field("", max_length=200)
    plz: Line = Field("", max_length=10)
    ort: Line = Field("", max_length=100)
    email: Annotated[Line, AfterValidator(_email)] = Field("", max_length=254)


class BeteiligterOut(Schema):
    id: int
    person: PersonOut
    rolle: str


class BeteiligterIn(Schema):
    """Link an existing person (``person_id``) or record a new one (``person``) — one of both."""

    person_id: Id | None = None
    person: PersonIn | None = None
    rolle: Line = Field(
        min_length=1, max_length=60, description="e.g. Antragsteller:in, Betroffene:r"
    )

    @model_validator(mode="after")
    def _one_person(self) -> Self:
        if (self.person_id is None) == (self.person is None):
            raise ValueError("give either person_id or person")
        return self


class BeteiligungOut(Schema):
    id: int
    unit: UnitRef | None
    user: UserRef | None
    darf_bearbeiten: bool
    gueltig_bis: datetime | None
    created_at: datetime


class BeteiligungIn(Schema):
    """Grant access to one unit or one person (for confidential Akten: persons only)."""

    unit_id: Id | None = None
    user_id: Id | None = None
    darf_bearbeiten: bool = False
    gueltig_bis: Moment | None = None


class FrueheresAktenzeichenOut(Schema):
    aktenzeichen: str
    bis: datetime


class AkteCounts(Schema):
    vorgaenge: int
    offene_vorgaenge: int
    dokumente: int
    offene_wiedervorlagen: int


class AkteCoverOut(AkteOut):
    """The file cover: the Akte with its Beteiligte, grants, former Aktenzeichen and counts."""

    beteiligte: list[BeteiligterOut]
    beteiligungen: list[BeteiligungOut]
    fruehere_aktenzeichen: list[FrueheresAktenzeichenOut]
    counts: AkteCounts


class AkteEventOut(Schema):
    id: int
    occurred_at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    outcome: str
    details: dict[str, object]


class AkteEventPage(Page):
    items: list[AkteEventOut]


# --- Vorgänge ---------------------------------------------------------------------------------


class VorgangOut(Schema):
    id: int
    akte: AkteRef
    betreff: str
    eingangsdatum: date
    bearbeitende_oe: UnitRef
    bearbeiter: UserRef | None
    frist: date | None
    status: str
    erledigt_am: datetime | None
    created_at: datetime


class VorgangPage(Page):
    items: list[VorgangOut]


class VorgangFilter(Schema):
    akte: Id | None = Field(None, description="Akte id")
    status: VorgangStatus | None = None
    bearbeiter: Literal["me"] | None = Field(None, description="`me`: assigned to the caller")


class InboxParams(Schema):
    view: InboxView = Field(
        InboxView.ALL,
        description="`mine`: assigned to me (or whom I deputise for); `unit`: unassigned in my "
        "units; `all`: both. Open Vorgänge only.",
    )


class VorgangIn(Schema):
    betreff: Line = Field(min_length=1, max_length=300)
    eingangsdatum: Day | None = Field(None, description="Defaults to today.")
    bearbeiter_id: Id | None = None
    bearbeitende_oe_id: Id | None = Field(None, description="Defaults to the Akte's unit.")
    frist: Day | None = None


class VorgangPatch(Schema):
    """Only the fields given change; ``bearbeiter_id: null`` removes the assignment."""

    status: VorgangStatus | None = None
    bearbeiter_id: Id | None = None
    frist: Day | None = None


class VorgangMoveIn(Schema):
    akte_id: Id = Field(description="The open Akte to move the Vorgang into.")


# --- Dokumente --------------------------------------------------------------------------------


class DokumentversionOut(Schema):
    id: int
    nummer: int
    rendition: str
    dateiname: str
    media_type: str
    size: int
    sha256: str
    kommentar: str
    ist_aktuell: bool
    created_by: UserRef
    created_at: datetime

    @staticmethod
    def resolve_size(obj: Dokumentversion) -> int:
        return obj.blob.size

    @staticmethod
    def resolve_sha256(obj: Dokumentversion) -> str:
        return obj.blob.sha256


class DokumentOut(Schema):
    id: int
    vorgang_id: int
    titel: str
    dokumentdatum: date
    absender_empfaenger: str
    richtung: str
    dokumenttyp: str
    created_at: datetime
    versionen: list[DokumentversionOut] = Field(description="Newest first.")

    @staticmethod
    def resolve_versionen(obj: Dokument) -> list[Dokumentversion]:
        return list(obj.versionen.all())


class DokumentPage(Page):
    items: list[DokumentOut]


class DokumentForm(Schema):
    """Metadata of a new Dokument (form fields beside the file)."""

    titel: Line = Field(min_length=1, max_length=300)
    dokumentdatum: Day
    richtung: Richtung
    dokumenttyp: Dokumenttyp
    absender_empfaenger: Line = Field("", max_length=300)
    kommentar: Line = Field("", max_length=300)


class VersionForm(Schema):
    kommentar: Line = Field(
        "", max_length=300, description="Why there is a new version (required for originals)."
    )
    rendition: Rendition = Rendition.ORIGINAL


class DokumentMoveIn(Schema):
    vorgang_id: Id = Field(description="The Vorgang (in an open Akte) to move the Dokument to.")


# --- Wiedervorlagen ---------------------------------------------------------------------------


class WiedervorlageOut(Schema):
    id: int
    akte_id: int | None
    vorgang_id: int | None
    faellig_am: date
    fuer_user: UserRef | None
    fuer_oe: UnitRef | None
    notiz: str
    erledigt_am: datetime | None
    created_at: datetime


class WiedervorlagePage(Page):
    items: list[WiedervorlageOut]


class WiedervorlageFilter(Schema):
    due: Literal["today"] | None = Field(
        None, description="`today`: open ones due today or earlier for me or my units."
    )
    erledigt: bool | None = None


class WiedervorlageIn(Schema):
    """A reminder on an Akte or a Vorgang, for a person or a unit (default: oneself)."""

    akte_id: Id | None = None
    vorgang_id: Id | None = None
    faellig_am: Day
    fuer_user_id: Id | None = None
    fuer_oe_id: Id | None = None
    notiz: Line = Field("", max_length=300)
