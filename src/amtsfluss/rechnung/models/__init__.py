from amtsfluss.rechnung.models.einstellungen import (
    Anordnungsbefugnis,
    Leitweg,
    RechnungEinstellungen,
)
from amtsfluss.rechnung.models.rechnung import (
    OPEN_STATUSES,
    EingangsnummerZaehler,
    Entscheidung,
    Kanal,
    Pruefschritt,
    Rechnung,
    RechnungStatus,
    Schritt,
)
from amtsfluss.rechnung.models.zahlungslauf import Zahlungslauf

__all__ = [
    "OPEN_STATUSES",
    "Anordnungsbefugnis",
    "EingangsnummerZaehler",
    "Entscheidung",
    "Kanal",
    "Leitweg",
    "Pruefschritt",
    "Rechnung",
    "RechnungEinstellungen",
    "RechnungStatus",
    "Schritt",
    "Zahlungslauf",
]
