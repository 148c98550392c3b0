"""Input and output schemas of the Posteingang API: a Sendung handed in, its Eingänge."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from amtsfluss.api.schemas import Id, Line, UnitRef
from amtsfluss.posteingang.models import EingangStatus, Kanal


class SendungForm(Schema):
    """The form fields beside the files (multipart)."""

    unit: Line = Field(
        min_length=1,
        max_length=20,
        description="Code of the receiving unit (``32.1``): one of the caller's own units.",
    )
    betreff: Line = Field(
        "", max_length=300, description="Subject of the Vorgang; else the file names."
    )
    ziel_vorgang_id: Id | None = Field(
        None, description="File into this Vorgang (of an open Akte the caller may work on)."
    )
    ziel_akte_id: Id | None = Field(
        None, description="File into a new Vorgang of this open Akte (instead of a Vorgang)."
    )


class PosteingangEingangOut(Schema):
    """One received file and how far it got: ``neu``/``geprueft``/``in_bearbeitung`` (being
    processed), ``bereit`` (filed: ``dokument_id``), ``klaerung`` (a step failed: ``schritt``,
    ``grund``; a person may retry it) or ``abgewiesen`` (refused: ``grund``)."""

    id: int
    sendung_id: int
    position: int
    dateiname: str
    size: int = Field(description="bytes (for a file cut off at the size limit: received)")
    media_type: str = Field(description="found by content; empty for a refused file")
    kanal: Kanal
    unit: UnitRef
    status: EingangStatus
    schritt: str = Field(description="the step running or failed")
    grund: str = Field(description="why it was refused or needs a person (translated)")
    versuche: int
    received_at: datetime
    finished_at: datetime | None
    dokument_id: int | None


class PosteingangSendungOut(Schema):
    id: int
    kanal: Kanal
    betreff: str
    unit: UnitRef
    received_at: datetime
    ziel_vorgang_id: int | None
    ziel_akte_id: int | None
    vorgang_id: int | None = Field(description="where its Dokumente are filed, once formed")
    eingaenge: list[PosteingangEingangOut]
