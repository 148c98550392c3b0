"""CAMT.053 import: credits matched to open Forderungen on the Kassenzeichen.

A credit is matched when its remittance information (unstructured text or structured
reference) holds a Kassenzeichen of the Mandant with valid check digits — whatever its spacing
or case — and the amount covers the Forderung (in euro). It then marks the Forderung
``bezahlt`` (source CAMT, the entry's reference). Every credit is kept as a ``Kontoumsatz``
under its reference: importing the same statement again books nothing twice. The whole file
is one transaction; a file that cannot be read changes nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from amtsfluss.core import audit
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import Mandant, User
from amtsfluss.kasse import kassenzeichen as kz
from amtsfluss.kasse.camt import Gutschrift, parse_camt053
from amtsfluss.kasse.models import Ergebnis, Forderung, Kontoumsatz, Quelle, Zustand
from amtsfluss.kasse.services.forderung import do_zustand_set, empfaenger_of


@dataclass
class Zeile:
    referenz: str
    betrag: str
    waehrung: str
    verwendungszweck: str
    ergebnis: str
    kassenzeichen: str = ""

    @property
    def label(self) -> str:
        return str(Ergebnis(self.ergebnis).label)


@dataclass
class Importbericht:
    zeilen: list[Zeile] = field(default_factory=list)
    schon_importiert: int = 0

    def count(self, ergebnis: str) -> int:
        return sum(1 for zeile in self.zeilen if zeile.ergebnis == ergebnis)

    @property
    def zugeordnet(self) -> int:
        return self.count(Ergebnis.ZUGEORDNET)

    def as_dict(self) -> dict[str, object]:
        return {
            "zugeordnet": self.zugeordnet,
            "ohne_zuordnung": self.count(Ergebnis.OHNE_ZUORDNUNG),
            "betrag_abweichend": self.count(Ergebnis.BETRAG_ABWEICHEND),
            "schon_bezahlt": self.count(Ergebnis.SCHON_BEZAHLT),
            "schon_importiert": self.schon_importiert,
            "zeilen": [asdict(zeile) for zeile in self.zeilen],
        }


def _written(compact: str, praefix: str) -> str:
    rest = compact[len(praefix) :]
    return f"{praefix}-{rest[:4]}-{rest[4:10]}-{rest[10:]}"


def _match(mandant: Mandant, praefix: str, gutschrift: Gutschrift) -> Forderung | None:
    text = " ".join((gutschrift.verwendungszweck, *gutschrift.referenzen))
    candidates = [_written(c, praefix) for c in kz.find_in(text, praefix)]
    if not candidates:
        return None
    found = {
        f.kassenzeichen: f
        for f in Forderung.objects.filter(mandant=mandant, kassenzeichen__in=candidates)
    }
    open_first = sorted(
        (found[c] for c in candidates if c in found), key=lambda f: f.zustand != Zustand.OFFEN
    )
    return open_first[0] if open_first else None


def _book(
    mandant: Mandant, gutschrift: Gutschrift, forderung: Forderung | None, by: User | None
) -> str:
    if forderung is None:
        return Ergebnis.OHNE_ZUORDNUNG
    # locked and read again: an online payment may have booked it since it was matched
    forderung.zustand = Forderung.objects.select_for_update().get(pk=forderung.pk).zustand
    if forderung.zustand != Zustand.OFFEN:
        return Ergebnis.SCHON_BEZAHLT
    if gutschrift.waehrung != "EUR" or gutschrift.betrag < forderung.betrag:
        return Ergebnis.BETRAG_ABWEICHEND
    do_zustand_set(
        forderung=forderung,
        nach=Zustand.BEZAHLT,
        quelle=Quelle.CAMT,
        by=by,
        betrag=gutschrift.betrag,
        referenz=gutschrift.referenz,
        notiz=gutschrift.verwendungszweck,
    )
    return Ergebnis.ZUGEORDNET


def camt053_import(*, mandant: Mandant, data: bytes, by: User | None = None) -> Importbericht:
    """Read a CAMT.053 file of the Mandant's receiving account and book what matches.

    The caller authorises (the Kasse's page, or the command line)."""
    auszug = parse_camt053(data)
    empfaenger = empfaenger_of(mandant)
    if auszug.iban != empfaenger.iban:
        raise ServiceError(
            _("The statement is of account %(iban)s, not of the Kasse's receiving account.")
            % {"iban": auszug.iban[:34]},
            code="camt",
        )
    bericht = Importbericht()
    praefix = empfaenger.kassenzeichen_praefix
    try:
        _import(mandant, auszug.gutschriften, praefix, bericht, by)
    except IntegrityError:  # the same entries booked by a concurrent import of this file
        raise ServiceError(
            _("This statement is being imported at the same time. Please try again."),
            code="conflict",
        ) from None
    return bericht


def _import(
    mandant: Mandant,
    gutschriften: list[Gutschrift],
    praefix: str,
    bericht: Importbericht,
    by: User | None,
) -> None:
    with transaction.atomic():
        known = set(
            Kontoumsatz.objects.filter(
                mandant=mandant, referenz__in=[g.referenz for g in gutschriften]
            ).values_list("referenz", flat=True)
        )
        for gutschrift in gutschriften:
            if gutschrift.referenz in known:
                bericht.schon_importiert += 1
                continue
            known.add(gutschrift.referenz)
            forderung = _match(mandant, praefix, gutschrift)
            ergebnis = _book(mandant, gutschrift, forderung, by)
            Kontoumsatz.objects.create(
                mandant=mandant,
                referenz=gutschrift.referenz,
                betrag=gutschrift.betrag,
                waehrung=gutschrift.waehrung,
                buchungstag=gutschrift.buchungstag,
                verwendungszweck=gutschrift.verwendungszweck,
                auftraggeber=gutschrift.auftraggeber[:140],
                ergebnis=ergebnis,
                forderung=forderung,
                imported_by=by,
            )
            bericht.zeilen.append(
                Zeile(
                    referenz=gutschrift.referenz,
                    betrag=str(gutschrift.betrag),
                    waehrung=gutschrift.waehrung,
                    verwendungszweck=gutschrift.verwendungszweck,
                    ergebnis=ergebnis,
                    kassenzeichen=forderung.kassenzeichen if forderung else "",
                )
            )
        audit.record(
            mandant=mandant,
            actor=by,
            action="kasse.camt053.import",
            object_type="kasse.kontoumsatz",
            details={
                k: v for k, v in bericht.as_dict().items() if k != "zeilen" and isinstance(v, int)
            },
        )


__all__ = ["Importbericht", "camt053_import"]
