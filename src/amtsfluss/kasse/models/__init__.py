from amtsfluss.kasse.models.empfaenger import Empfaenger, KassenzeichenZaehler
from amtsfluss.kasse.models.forderung import Forderung, Quelle, Zustand, Zustandswechsel
from amtsfluss.kasse.models.online import Benachrichtigung, OnlineZahlung
from amtsfluss.kasse.models.umsatz import Ergebnis, Kontoumsatz

__all__ = [
    "Benachrichtigung",
    "Empfaenger",
    "Ergebnis",
    "Forderung",
    "KassenzeichenZaehler",
    "Kontoumsatz",
    "OnlineZahlung",
    "Quelle",
    "Zustand",
    "Zustandswechsel",
]
