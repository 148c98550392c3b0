"""Input and output schemas of the E-Rechnung API: the Rechnungseingangsbuch, the approval, the
Zahlungslauf.

Money goes out as decimal strings with two places (``"1234.50"``): exact, never a binary float.
Inputs reject what the database cannot hold (see ``api.schemas``); whether a decision may be
taken now is the services' answer (400 with ``code``: ``conflict`` when somebody else decided
first, 403 when the caller may not).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from amtsfluss.api.schemas import Id, Line, Page, UnitRef, UserRef
from amtsfluss.api.schemas_akte import Day, Text
from amtsfluss.rechnung.models import RechnungStatus


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def errors_first(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(findings, key=lambda f: f.get("level") != "error")


# --- the register -------------------------------------------------------------------------------


class RechnungRef(Schema):
    id: int
    eingangsnummer: str


class RechnungOut(Schema):
    """One entry of the Rechnungseingangsbuch (what was received and read, and its status)."""

    id: int
    eingangsnummer: str = Field(description="Receipt number, unique per Mandant: `2026-000042`.")
    eingegangen_am: datetime
    kanal: str = Field(description="upload, api, ordner or mail.")
    dateiname: str
    status: RechnungStatus
    verdict: Literal["accept", "reject"] = Field(description="Result of the official validation.")
    syntax: str = Field(description="ubl-invoice, ubl-creditnote, cii; empty: not an e-invoice.")
    customization_id: str
    verkaeufer_name: str
    verkaeufer_ust_id: str
    rechnungsnummer: str
    rechnungsdatum: date | None
    ist_gutschrift: bool
    waehrung: str
    netto: str | None
    steuer: str | None
    brutto: str | None
    zahlbetrag: str | None
    faellig_am: date | None
    skonto_bis: date | None
    skonto_betrag: str | None
    leitweg_id: str
    unit: UnitRef | None = Field(description="The responsible unit; null: in Klärung.")
    klaerungsgrund: str
    ist_dublette: bool
    dublette_von: RechnungRef | None
    dublette_grund: str
    vorgang_id: int | None = Field(description="The invoice's Vorgang in the E-Akte.")
    zahlungslauf_id: int | None

    @staticmethod
    def resolve_netto(obj: Any) -> str | None:
        return money(obj.netto)

    @staticmethod
    def resolve_steuer(obj: Any) -> str | None:
        return money(obj.steuer)

    @staticmethod
    def resolve_brutto(obj: Any) -> str | None:
        return money(obj.brutto)

    @staticmethod
    def resolve_zahlbetrag(obj: Any) -> str | None:
        return money(obj.zahlbetrag)

    @staticmethod
    def resolve_skonto_betrag(obj: Any) -> str | None:
        return money(obj.skonto_betrag)


class RechnungPage(Page):
    items: list[RechnungOut]


class RechnungFilter(Schema):
    status: RechnungStatus | None = None
    unit: Id | None = Field(None, description="Only invoices of this unit.")
    dubletten: bool = Field(False, description="Only duplicates.")
    klaerung: bool = Field(False, description="Only invoices without a responsible unit.")
    q: Line = Field("", max_length=200, description="Seller, invoice number, Eingangsnummer.")
    sort: Literal["eingang", "eingang_alt", "faellig", "faellig_spaet"] = Field(
        "eingang", description="Receipt newest/oldest first, due date earliest/latest first."
    )


class FindingOut(Schema):
    rule: str
    level: str = Field(description="error, warning or information.")
    message: str
    location: str


class EingangOut(RechnungOut):
    """The answer to an upload: the registered entry and the findings of its validation, so
    that the sender learns why a file was refused (it may not see the entry afterwards)."""

    findings: list[FindingOut] = Field(description="Errors first.")

    @staticmethod
    def resolve_findings(obj: Any) -> list[dict[str, Any]]:
        return errors_first(obj.findings)


class PruefschrittOut(Schema):
    schritt: str = Field(description="sachlich_richtig, rechnerisch_richtig or anordnung.")
    entscheidung: str = Field(description="bestaetigt or zurueckgewiesen.")
    user: UserRef = Field(description="The person who decided (never the represented one).")
    befugnis_von: UserRef | None = Field(
        description="Anordnung: whose Anordnungsbefugnis was used (a deputy uses the absent "
        "person's)."
    )
    begruendung: str
    at: datetime

    @staticmethod
    def resolve_befugnis_von(obj: Any) -> Any:
        return obj.befugnis.user if obj.befugnis is not None else None


class AktionenOut(Schema):
    """What the caller may do with the invoice now."""

    offener_schritt: str | None
    darf_bestaetigen: bool
    vier_augen_gesperrt: bool = Field(
        description="The caller holds the right but confirmed an earlier step (four eyes)."
    )
    darf_zurueckweisen: bool
    darf_zuordnen: bool


class AnhangOut(Schema):
    reference: str = Field(description="BT-122; download with `/attachment?reference=`.")
    description: str
    filename: str
    media_type: str = Field(description="As declared by the sender (not checked).")
    external_uri: str
    size: int = Field(description="Bytes embedded in the invoice; 0 for external ones.")


class RechnungDetailOut(Schema):
    rechnung: RechnungOut
    findings: list[FindingOut] = Field(description="Of the validation at receipt, errors first.")
    schritte: list[PruefschrittOut]
    aktionen: AktionenOut
    dubletten: list[RechnungRef] = Field(description="Later receipts of the same invoice.")
    anhaenge: list[AnhangOut]
    lesbar: bool = Field(description="Whether the content could be read (readable PDF exists).")


# --- decisions ----------------------------------------------------------------------------------


class BestaetigenIn(Schema):
    bemerkung: Text = Field("", max_length=2000)


class ZurueckweisenIn(Schema):
    begruendung: Text = Field(min_length=1, max_length=2000, description="Sent to the seller.")
    erwarteter_status: RechnungStatus | None = Field(
        None, description="The status the caller saw; another one now is a conflict."
    )


class ZuordnenIn(Schema):
    unit_id: Id


class AnhangParams(Schema):
    reference: Line = Field(min_length=1, max_length=200, description="BT-122 of the attachment.")


class RawUploadParams(Schema):
    filename: Line = Field(
        min_length=1, max_length=255, description="The file's name, e.g. `rechnung-4711.xml`."
    )


# --- Zahlungslauf -------------------------------------------------------------------------------


class ZahlungslaufIn(Schema):
    rechnung_ids: list[Id] = Field(min_length=1, max_length=1000)
    ausfuehrungsdatum: Day | None = Field(None, description="Default: today.")


class ZahlungslaufOut(Schema):
    id: int
    nummer: str
    ausfuehrungsdatum: date
    anzahl: int
    summe: str = Field(description="Sum paid (after Skonto), EUR.")
    created_at: datetime
    created_by: UserRef

    @staticmethod
    def resolve_summe(obj: Any) -> str | None:
        return money(obj.summe)


class ZahlungslaufPage(Page):
    items: list[ZahlungslaufOut]


class ZahlungslaufDetailOut(ZahlungslaufOut):
    rechnungen: list[RechnungRef]

    @staticmethod
    def resolve_rechnungen(obj: Any) -> Any:
        return obj.rechnungen.order_by("eingangsnummer", "pk")
